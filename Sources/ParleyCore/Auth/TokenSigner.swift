import Crypto

import Foundation

/// The claims of a Parley access token.
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public var sub: String
    public var sid: String
    public var iat: Int64
    public var exp: Int64
    public var jti: String
    public var typ: String

    public init(sub: String, sid: String, iat: Int64, exp: Int64, jti: String, typ: String = "access") {
        self.sub = sub
        self.sid = sid
        self.iat = iat
        self.exp = exp
        self.jti = jti
        self.typ = typ
    }
}

/// Signs and verifies HS256 JWTs.
///
/// Written on swift-crypto rather than a general JWT library so that the algorithm is pinned (a token whose
/// header names anything but HS256 is refused before any key is consulted), verification is synchronous with
/// no actor hop per request, and an expired token is reported only after its signature has been checked.
public struct TokenSigner: Sendable {
    private let key: SymmetricKey
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    public init(secret: [UInt8]) {
        self.key = SymmetricKey(data: secret)
    }

    public func sign(_ claims: AccessTokenClaims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let payload = Base64URL.encode((try? encoder.encode(claims)) ?? Data())
        let signingInput = Self.header + "." + payload
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Base64URL.encode(Array(signature))
    }

    /// Verifies signature, algorithm, type and expiry; `AUTH_TOKEN_EXPIRED` only for an authentic expired token.
    public func verify(_ token: String, now: Timestamp) throws(ParleyError) -> AccessTokenClaims {
        guard token.utf8.count <= 4096 else { throw .tokenInvalid }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Base64URL.decode(parts[0]),
            let header = try? JSONDecoder().decode(JOSEHeader.self, from: Data(headerBytes)),
            header.alg == "HS256", header.typ == nil || header.typ == "JWT", header.crit == nil,
            let signature = Base64URL.decode(parts[2]), signature.count == 32
        else { throw .tokenInvalid }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            throw .tokenInvalid
        }
        guard let payloadBytes = Base64URL.decode(parts[1]),
            let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payloadBytes)),
            claims.typ == "access"
        else { throw .tokenInvalid }
        guard claims.exp * 1000 > now.milliseconds else { throw .tokenExpired }
        return claims
    }

    private struct JOSEHeader: Decodable {
        var alg: String
        var typ: String?
        var crit: [String]?
    }
}
