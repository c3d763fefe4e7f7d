/// One numbered schema change. Statements may differ per engine where the dialects do.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: @Sendable (SQLEngine) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (SQLEngine) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension Migration {
    /// Every migration, in order. Append only: a released migration is never edited.
    public static let all: [Migration] = [
        .initialSchema,
        .searchIndex,
        .searchPostings,
        .searchWatermarks,
        .sessionHardening,
    ]
}
