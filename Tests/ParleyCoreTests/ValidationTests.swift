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
}
