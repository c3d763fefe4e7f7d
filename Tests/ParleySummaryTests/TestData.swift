import Foundation

/// Loads the labelled TSV files that sit next to the tests, wherever the package is checked out.
enum TestData {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Data")

    /// `label<TAB>text` rows; blank lines and `#` comments are skipped.
    static func rows(_ name: String) throws -> [(label: String, text: String)] {
        let content = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return content.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let tab = line.firstIndex(of: "\t") else { return nil }
            return (String(line[..<tab]), String(line[line.index(after: tab)...]))
        }
    }
}
