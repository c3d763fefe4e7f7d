import ParleyCore
import Testing

@Suite("Access tokens")
struct TokenSignerTests {
    let signer = TokenSigner(secret: Array("0123456789abcdef0123456789abcdef".utf8))

    func claims(exp: Int64) -> AccessTokenClaims {
        AccessTokenClaims(sub: "user", sid: "session", iat: exp - 60, exp: exp, jti: "j")
    }

    @Test("a signed token verifies until it expires")
    func roundTrip() throws {
        let token = signer.sign(claims(exp: 2_000))
        #expect(try signer.verify(token, now: Timestamp(milliseconds: 1_999_999)).sub == "user")
        #expect(throws: ParleyError.tokenExpired) { try signer.verify(token, now: Timestamp(milliseconds: 2_000_000)) }
    }

    @Test("tampering with any part invalidates the token")
    func tampering() {
        let token = signer.sign(claims(exp: 2_000))
        let parts = token.split(separator: ".").map(String.init)
        var forgedPayload = claims(exp: 9_999)
        forgedPayload.sub = "admin"
        let otherPayload = signer.sign(forgedPayload).split(separator: ".").map(String.init)[1]
        for forged in [parts[0] + "." + otherPayload + "." + parts[2], token + "x", String(token.dropLast(2)), parts[0] + "." + parts[1]] {
            #expect(throws: ParleyError.tokenInvalid) { try signer.verify(forged, now: Timestamp(milliseconds: 0)) }
        }
        // An expired forgery is reported as invalid, never as expired.
        let expiredForgery = parts[0] + "." + otherPayload + "." + parts[2]
        #expect(throws: ParleyError.tokenInvalid) { try signer.verify(expiredForgery, now: Timestamp(milliseconds: 99_999_999)) }
    }
}
