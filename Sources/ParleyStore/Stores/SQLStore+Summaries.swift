import Foundation
import ParleyCore
import SQLKit

extension SQLStore: SummaryStore {
    private static let summaryColumns = """
        id, room_id, summary_type, payload, key_version, message_count, start_date, end_date, participants, sentiment_score, \
        language, provider, created_at
        """

    private static func decodeSummary(_ row: any SQLRow) throws -> StoredSummary {
        let participants = (try? JSONDecoder().decode([String].self, from: Data(try row.string("participants").utf8))) ?? []
        return StoredSummary(
            id: try row.string("id"), roomID: try row.string("room_id"),
            type: SummaryType(rawValue: try row.string("summary_type")) ?? .manual, payload: try row.string("payload"),
            keyVersion: try row.optionalInt("key_version"), messageCount: try row.int("message_count"),
            startDate: try row.timestamp("start_date"), endDate: try row.timestamp("end_date"), participants: participants,
            sentimentScore: try row.double("sentiment_score"), language: try row.string("language"), provider: try row.string("provider"),
            createdAt: try row.timestamp("created_at"))
    }

    public func insertSummary(_ summary: StoredSummary) async throws {
        let participants = String(decoding: try JSONEncoder().encode(summary.participants), as: UTF8.self)
        try await backend.transaction { database in
            guard try await Self.lockRoom(summary.roomID, in: database) != nil else { throw StoreError.notFound }
            try await database.raw("""
                INSERT INTO summaries (id, room_id, summary_type, payload, key_version, message_count, start_date, end_date,
                    participants, sentiment_score, language, provider, created_at)
                VALUES (\(bind: summary.id), \(bind: summary.roomID), \(bind: summary.type.rawValue), \(bind: summary.payload),
                    \(bind: summary.keyVersion), \(bind: summary.messageCount), \(bind: summary.startDate.milliseconds),
                    \(bind: summary.endDate.milliseconds), \(bind: participants), \(bind: summary.sentimentScore), \(bind: summary.language),
                    \(bind: summary.provider), \(bind: summary.createdAt.milliseconds))
                """).run()
        }
    }

    public func latestSummary(roomID: String, type: SummaryType?, from: Timestamp?, to: Timestamp?) async throws -> StoredSummary? {
        var conditions: SQLQueryString = "room_id = \(bind: roomID)"
        if let type { conditions.appendInterpolation(unsafeRaw: " AND summary_type = "); conditions.appendInterpolation(bind: type.rawValue) }
        if let from { conditions.appendInterpolation(unsafeRaw: " AND end_date >= "); conditions.appendInterpolation(bind: from.milliseconds) }
        if let to { conditions.appendInterpolation(unsafeRaw: " AND start_date <= "); conditions.appendInterpolation(bind: to.milliseconds) }
        let filter = conditions
        return try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.summaryColumns) FROM summaries WHERE \(filter) ORDER BY created_at DESC, id DESC LIMIT 1
                """).first().map(Self.decodeSummary)
        }
    }

    public func summaryMessages(roomID: String, from: Timestamp, to: Timestamp, limit: Int) async throws -> [StoredMessage] {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.messageColumns) FROM messages
                WHERE room_id = \(bind: roomID) AND created_at >= \(bind: from.milliseconds) AND created_at <= \(bind: to.milliseconds)
                    AND deleted_at IS NULL AND message_type <> 'system'
                ORDER BY seq DESC LIMIT \(bind: limit)
                """).all().map { try Self.decodeMessage($0) }.reversed()
        }
    }

    public func summaryMessages(roomID: String, seqRange: ClosedRange<Int64>, limit: Int) async throws -> [StoredMessage] {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.messageColumns) FROM messages
                WHERE room_id = \(bind: roomID) AND seq >= \(bind: seqRange.lowerBound) AND seq <= \(bind: seqRange.upperBound)
                    AND deleted_at IS NULL AND message_type <> 'system'
                ORDER BY seq DESC LIMIT \(bind: limit)
                """).all().map { try Self.decodeMessage($0) }.reversed()
        }
    }

    public func claimAutomaticSummary(roomID: String, from previous: Int64, to seq: Int64) async throws -> Bool {
        try await backend.transaction { database in
            try await database.raw("""
                UPDATE rooms SET summarized_seq = \(bind: seq) WHERE id = \(bind: roomID) AND summarized_seq = \(bind: previous) RETURNING id
                """).first() != nil
        }
    }

    public func summaryProgress(roomID: String) async throws -> RoomProgress? {
        try await backend.read { database in
            guard let row = try await database.raw("""
                SELECT last_seq, auto_summary_enabled, summary_threshold, summarized_seq FROM rooms WHERE id = \(bind: roomID)
                """).first()
            else { return nil }
            return RoomProgress(
                roomID: roomID, lastSeq: try row.int64("last_seq"), autoSummaryEnabled: try row.bool("auto_summary_enabled"),
                summaryThreshold: try row.int("summary_threshold"), summarizedSeq: try row.int64("summarized_seq"))
        }
    }
}
