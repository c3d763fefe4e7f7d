import Foundation

/// A JSON value for results. Objects keep their keys in insertion order so that a report reads the same way
/// every run (JSONSerialization would reorder them).
enum JSON: Sendable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    case array([JSON])
    case object(Report)

    /// Compact JSON text.
    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .int(let value): out += String(value)
        case .double(let value):
            // JSON has no NaN or infinity; three decimals are plenty for milliseconds and rates.
            guard value.isFinite else { out += "null"; return }
            let rounded = (value * 1000).rounded() / 1000
            if rounded == rounded.rounded(), abs(rounded) < 1e15 {
                out += String(Int64(rounded))
            } else {
                out += String(rounded)
            }
        case .string(let value): Self.writeString(value, to: &out)
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let report): report.write(to: &out)
        }
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// Values that can stand in a report.
protocol JSONConvertible {
    var json: JSON { get }
}

extension Int: JSONConvertible { var json: JSON { .int(self) } }
extension Int64: JSONConvertible { var json: JSON { .int(Int(self)) } }
extension UInt64: JSONConvertible { var json: JSON { .int(Int(clamping: self)) } }
extension Double: JSONConvertible { var json: JSON { .double(self) } }
extension String: JSONConvertible { var json: JSON { .string(self) } }
extension Bool: JSONConvertible { var json: JSON { .bool(self) } }
extension JSON: JSONConvertible { var json: JSON { self } }
extension Report: JSONConvertible { var json: JSON { .object(self) } }
extension Optional: JSONConvertible where Wrapped: JSONConvertible { var json: JSON { self?.json ?? .null } }
extension Array: JSONConvertible where Element: JSONConvertible { var json: JSON { .array(map(\.json)) } }

/// An ordered JSON object: one scenario's results.
struct Report: Sendable {
    private(set) var fields: [(key: String, value: JSON)] = []

    init() {}

    /// Sets `key`, replacing an earlier value in place.
    mutating func set<Value: JSONConvertible>(_ key: String, _ value: Value) {
        let json = value.json
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = json
        } else {
            fields.append((key, json))
        }
    }

    /// The value stored under `key`, if any.
    func value(_ key: String) -> JSON? {
        fields.first { $0.key == key }?.value
    }

    /// Appends every field of `other` (replacing those already present).
    mutating func merge(_ other: Report) {
        for (key, value) in other.fields { set(key, value) }
    }

    func write(to out: inout String) {
        out += "{"
        for (index, field) in fields.enumerated() {
            if index > 0 { out += "," }
            JSON.string(field.key).write(to: &out)
            out += ":"
            field.value.write(to: &out)
        }
        out += "}"
    }

    /// The report as one line of JSON.
    var line: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Whether the scenario recorded an error, loss or failed verification (what makes `smoke` fail).
    var hasProblems: Bool {
        if case .string = value("error") { return true }
        for key in ["errors", "loss", "duplicates", "missing", "verification_failures", "failures", "gaps", "unexpected_closes"] {
            if case .int(let count) = value(key), count != 0 { return true }
        }
        return false
    }
}

/// Progress messages go to standard error; standard output carries only the result line.
enum Log {
    static func progress(_ message: String) {
        FileHandle.standardError.write(Data("[parley-bench] \(message)\n".utf8))
    }
}

/// Writes the single result line on standard output.
func emit(_ report: Report) {
    FileHandle.standardOutput.write(Data((report.line + "\n").utf8))
}

/// `value` with `digits` decimals, for progress messages.
func fixed(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}
