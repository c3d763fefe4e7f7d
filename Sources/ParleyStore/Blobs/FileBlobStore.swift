import Foundation
import ParleyCore

/// Blobs as files under one directory, sharded by the first two characters of their key. Keys are generated
/// by Parley (never derived from user input), so no path is ever built from a client's filename.
public struct FileBlobStore: BlobStore {
    public let root: String

    public init(root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.root = root
    }

    /// The path of a blob; `key` must be one Parley generated (letters, digits and '-').
    public func path(for key: String) -> String? {
        guard key.utf8.count >= 8, key.utf8.count <= 64,
            key.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == UInt8(ascii: "-") })
        else { return nil }
        return "\(root)/\(key.prefix(2))/\(key)"
    }

    public func delete(keys: [String]) async {
        for key in keys {
            guard let path = path(for: key) else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
