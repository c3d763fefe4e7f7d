import Crypto
import ParleyCore
import Testing

@Suite("Search tokens")
struct SearchHasherTests {
    /// Tokens are stored in the index: they must never change for the same key and term. The expected
    /// values were computed independently (Python's hmac and hashlib: HKDF-SHA-256 with an empty salt,
    /// then HMAC-SHA-256, first 8 bytes in hex).
    @Test("tokens are HMAC-SHA-256 under the HKDF-derived search key, truncated to 64 bits")
    func knownAnswers() {
        let hasher = SearchHasher(roomKey: SymmetricKey(data: [UInt8](repeating: 1, count: 32)))
        #expect(hasher.token("hello") == "93e7ef164502d5f3")
        #expect(hasher.token("café") == "5a658ae66c758d40")
        #expect(hasher.roomToken == "rd96237b0c955084e")
        // The same hasher used again (its keyed state is copied per term, never consumed).
        #expect(hasher.token("hello") == "93e7ef164502d5f3")
    }

    @Test("another room key gives other tokens")
    func perRoom() {
        let one = SearchHasher(roomKey: SymmetricKey(data: [UInt8](repeating: 1, count: 32)))
        let two = SearchHasher(roomKey: SymmetricKey(data: [UInt8](repeating: 2, count: 32)))
        #expect(one.token("hello") != two.token("hello"))
        #expect(one.roomToken != two.roomToken)
    }
}
