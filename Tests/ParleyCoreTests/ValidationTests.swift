import ParleyCore
import Testing

@Suite("Field rules")
struct ValidationTests {
    @Test("emails", arguments: [
        ("a@example.com", true), ("first.last+tag@sub.example.co", true), ("a@b", false), ("@example.com", false),
        ("a@@example.com", false), ("a b@example.com", false), ("a@example..com", false), ("a.@example.com", false),
        ("a@-example.com", false), ("a@example.c", false), ("ä@example.com", false),
    ])
    func email(address: String, valid: Bool) {
        #expect(AccountRules.isValidEmail(address) == valid)
    }

    @Test("usernames allow letters, digits, underscore, dot and hyphen only")
    func usernames() {
        #expect(AccountRules.isValidUsername("Al_ice.B-1"))
        for bad in ["al ice", "alïce", "al/ice", "al@ice", "al\u{0}ice"] { #expect(!AccountRules.isValidUsername(bad)) }
    }

    @Test("lengths count characters, not bytes, after trimming")
    func lengths() throws {
        var validator = Validator()
        #expect(validator.text("  \u{1F600}\u{1F600}\u{1F600}  ", field: "f", required: true, length: 3...3) == "\u{1F600}\u{1F600}\u{1F600}")
        #expect(validator.violations.isEmpty)
        #expect(validator.text("ab", field: "g", required: true, length: 3...5) == nil)
        #expect(throws: ParleyError.self) { try validator.check() }
    }

    @Test("control characters are refused in text fields, naming the field; tab, LF and CR only where allowed")
    func controlCharacters() throws {
        for scalar in [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F] {
            let character = String(Character(Unicode.Scalar(UInt8(scalar))))
            var validator = Validator()
            #expect(validator.text("nul" + character + "inside", field: "name", required: true, length: 1...100) == nil)
            #expect(validator.violations == [FieldViolation(field: "name", code: .validationInvalidValue, message: "name must not contain control characters")])
            #expect(ControlCharacters.found(in: "a" + character + "b", allowing: .tabsAndNewlines))
        }
        var validator = Validator()
        #expect(validator.text("a\tb\nc\r\nd", field: "description", required: false, length: 0...500, controls: .tabsAndNewlines) == "a\tb\nc\r\nd")
        #expect(validator.violations.isEmpty)
        #expect(validator.text("a\tb", field: "name", required: true, length: 1...100) == nil)
        #expect(validator.violations.map(\.field) == ["name"])
        // Characters beyond ASCII are not control characters, whatever their UTF-8 bytes look like.
        #expect(!ControlCharacters.found(in: "é中😀\u{85}\u{2028}"))
        do {
            try ControlCharacters.check("x\u{0}", field: "content.text", allowing: .tabsAndNewlines)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.status == 422 && error.code == .validationInvalidValue)
            #expect(error.details["field"] == "content.text")
        }
    }

    @Test("message text keeps tabs and newlines and refuses other control characters as content.text")
    func messageText() throws {
        let room = Room.testReadable
        #expect(try MessageRules.content(["text": "one\ttwo\nthree\r\nfour"], for: room) == ["text": "one\ttwo\nthree\r\nfour"])
        for bad in ["nul\u{0}inside", "bell\u{7}", "del\u{7F}", "escape\u{1B}[2J"] {
            do {
                _ = try MessageRules.content(["text": .string(bad)], for: room)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(error.code == .validationInvalidValue && error.details["field"] == "content.text")
            }
        }
    }
}

private extension Room {
    static var testReadable: Room {
        Room(
            id: Identifiers.uuid(), name: "Readable", description: nil, ownerID: Identifiers.uuid(), isPrivate: false, maxMembers: 10,
            memberCount: 1, encryptionEnabled: false, autoSummaryEnabled: false, summaryThreshold: 50, createdAt: .now(), updatedAt: .now())
    }
}
