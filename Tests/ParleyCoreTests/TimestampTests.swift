import ParleyCore
import Testing

@Suite("Timestamps and identifiers")
struct TimestampTests {
    @Test("RFC 3339 output is UTC with milliseconds")
    func formatting() {
        #expect(Timestamp(milliseconds: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 1_795_976_530_123).rfc3339 == "2026-11-29T18:22:10.123Z")
        #expect(Timestamp(milliseconds: 951_782_400_000).rfc3339 == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp(milliseconds: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
    }

    @Test("RFC 3339 input with or without fractions and offsets")
    func parsing() {
        #expect(Timestamp(rfc3339: "2026-11-29T18:22:10.123Z")?.milliseconds == 1_795_976_530_123)
        #expect(Timestamp(rfc3339: "2026-11-29T18:22:10Z")?.milliseconds == 1_795_976_530_000)
        #expect(Timestamp(rfc3339: "2026-11-29T18:22:10.1Z")?.milliseconds == 1_795_976_530_100)
        #expect(Timestamp(rfc3339: "2026-11-29T18:22:10.123456789Z")?.milliseconds == 1_795_976_530_123)
        #expect(Timestamp(rfc3339: "2026-11-29T19:22:10.123+01:00")?.milliseconds == 1_795_976_530_123)
        #expect(Timestamp(rfc3339: "2026-11-29T17:22:10-01:00")?.milliseconds == 1_795_976_530_000)
        for bad in ["", "2026-11-29", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-29T18:22:10", "2026-11-29T18:22:10.Z",
                    "2026-11-29T25:00:00Z", "yesterday", "2026-11-29T18:22:10Zjunk", "２０２６-11-29T18:22:10Z"] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test("round trip over a wide range")
    func roundTrip() {
        for ms: Int64 in [0, 1, 999, 86_399_999, 1_000_000_000_000, 4_102_444_800_000, 253_402_300_799_999] {
            #expect(Timestamp(rfc3339: Timestamp(milliseconds: ms).rfc3339)?.milliseconds == ms)
        }
    }

    @Test("UUIDv7 ids sort by time and are valid UUIDs")
    func uuidV7() {
        let earlier = Identifiers.uuidV7(at: Timestamp(milliseconds: 1_000))
        let later = Identifiers.uuidV7(at: Timestamp(milliseconds: 2_000))
        #expect(earlier < later)
        #expect(Identifiers.isUUID(earlier))
        #expect(Array(earlier)[14] == "7")
        #expect(Identifiers.isUUID(Identifiers.uuid()))
        #expect(!Identifiers.isUUID("not-a-uuid"))
    }
}
