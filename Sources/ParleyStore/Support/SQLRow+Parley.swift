import ParleyCore
import SQLKit

// Typed column readers: flags are stored as 0/1 and times as epoch milliseconds in both engines.
extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try decode(column: column, as: Int?.self) }
    func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func double(_ column: String) throws -> Double { try decode(column: column, as: Double.self) }
    func bool(_ column: String) throws -> Bool { try decode(column: column, as: Int.self) != 0 }
    func timestamp(_ column: String) throws -> Timestamp { Timestamp(milliseconds: try int64(column)) }
    func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try decode(column: column, as: Int64?.self).map(Timestamp.init(milliseconds:))
    }
}

extension Bool {
    /// The 0/1 integer a flag is stored as.
    var sqlFlag: Int { self ? 1 : 0 }
}
