import CryptoExtras
import Foundation
import NIOCore
import ParleyCore
import ParleyTestSupport
import Synchronization
import Testing

@testable import ParleyServer

@Suite("Accounts and sessions (API.md §2)")
struct AuthTests {
    @Test("register returns the user and working tokens", arguments: TestEngine.available)
    func register(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let response = try await server.request(.POST, "/auth/register", json: [
                "username": "alice.w", "email": "Alice@Example.com", "password": "correct horse", "display_name": "  Alice  ",
            ])
            #expect(response.status == 201)
            #expect(response.json["success"].boolValue == true)
            let user = response.data["user"]
            #expect(user["username"].stringValue == "alice.w")
            #expect(user["email"].stringValue == "Alice@Example.com")
            #expect(user["display_name"].stringValue == "Alice")
            #expect(user["avatar_url"].isNull && user["is_verified"].boolValue == false)
            #expect(Identifiers.isUUID(user["id"].stringValue ?? ""))
            #expect(user["created_at"].stringValue.flatMap(Timestamp.init(rfc3339:)) != nil)
            #expect(response.data["expires_in"].intValue == 1800)
            #expect(response.json["error"].isNull)

            let token = try #require(response.data["access_token"].stringValue)
            let me = try await server.request(.GET, "/users/me", token: token)
            #expect(me.status == 200)
            #expect(me.data["id"] == user["id"])
            #expect(me.data["public_key"].isNull)
            #expect(me.text.contains("password") == false)
        }
    }

    @Test("each registration rule answers 422 naming its field", arguments: TestEngine.available)
    func registrationRules(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let valid: [String: JSONValue] = ["username": "bob", "email": "bob@example.com", "password": "12345678", "display_name": "Bob"]
            let cases: [(String, JSONValue?, String)] = [
                ("username", nil, "VALIDATION_REQUIRED_FIELD"),
                ("username", "ab", "VALIDATION_INVALID_VALUE"),
                ("username", .string(String(repeating: "a", count: 51)), "VALIDATION_LENGTH_EXCEEDED"),
                ("username", "bad name!", "VALIDATION_INVALID_FORMAT"),
                ("username", 42, "VALIDATION_INVALID_FORMAT"),
                ("email", nil, "VALIDATION_REQUIRED_FIELD"),
                ("email", "not-an-email", "VALIDATION_INVALID_FORMAT"),
                ("email", "a@b", "VALIDATION_INVALID_FORMAT"),
                ("password", nil, "VALIDATION_REQUIRED_FIELD"),
                ("password", "1234567", "VALIDATION_INVALID_VALUE"),
                ("password", .string(String(repeating: "p", count: 129)), "VALIDATION_LENGTH_EXCEEDED"),
                ("display_name", nil, "VALIDATION_REQUIRED_FIELD"),
                ("display_name", "   ", "VALIDATION_REQUIRED_FIELD"),
                ("display_name", .string(String(repeating: "é", count: 101)), "VALIDATION_LENGTH_EXCEEDED"),
                ("public_key", "not a key", "VALIDATION_INVALID_FORMAT"),
            ]
            for (field, value, code) in cases {
                var body = valid
                body[field] = value
                if value == nil { body.removeValue(forKey: field) }
                let response = try await server.request(.POST, "/auth/register", json: .object(body))
                #expect(response.status == 422, "\(field)=\(String(describing: value))")
                #expect(response.errorCode == code, "\(field)=\(String(describing: value)): \(response.text)")
                #expect(response.json["error"]["details"]["field"].stringValue == field)
            }
            // Boundaries that are allowed: 3 and 50 characters, 8 and 128 character passwords, 100 characters of name.
            let edge = try await server.request(.POST, "/auth/register", json: [
                "username": .string(String(repeating: "z", count: 50)), "email": "edge@example.com",
                "password": .string(String(repeating: "p", count: 128)), "display_name": .string(String(repeating: "é", count: 100)),
            ])
            #expect(edge.status == 201)
            let short = try await server.request(.POST, "/auth/register", json: [
                "username": "abc", "email": "abc@example.com", "password": "12345678", "display_name": "A",
            ])
            #expect(short.status == 201)
            // Nothing of a refused registration was stored.
            let retry = try await server.request(.POST, "/auth/register", json: .object(valid))
            #expect(retry.status == 201)
        }
    }

    @Test("several broken fields are all listed", arguments: TestEngine.available)
    func severalFields(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let response = try await server.request(.POST, "/auth/register", json: ["username": "x", "email": "nope"])
            #expect(response.status == 422)
            let fields = response.json["error"]["details"]["fields"].arrayValue.compactMap(\.stringValue)
            #expect(Set(fields) == ["username", "email", "password", "display_name"])
        }
    }

    @Test("a valid RSA public key is accepted and stored", arguments: TestEngine.available)
    func publicKey(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let pem = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation
            let response = try await server.request(.POST, "/auth/register", json: [
                "username": "keyed", "email": "keyed@example.com", "password": "12345678", "display_name": "K", "public_key": .string(pem),
            ])
            #expect(response.status == 201)
            let token = try #require(response.data["access_token"].stringValue)
            let me = try await server.request(.GET, "/users/me", token: token)
            #expect(me.data["public_key"].stringValue == pem)
            // An EC key is not an RSA key.
            let ecKey = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEVs/o5+uQbTjL3chynL4wXgUg2R9q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----"
            let refused = try await server.request(.PUT, "/users/me", json: ["public_key": .string(ecKey)], token: token)
            #expect(refused.status == 422)
            #expect(refused.errorCode == "VALIDATION_INVALID_FORMAT")
        }
    }

    @Test("duplicate username or email is 409 naming the field, case-insensitively", arguments: TestEngine.available)
    func duplicates(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let first = try await server.register("dup")
            let sameName = try await server.request(.POST, "/auth/register", json: [
                "username": .string(first.username.uppercased()), "email": "other@example.com", "password": "12345678", "display_name": "D",
            ])
            #expect(sameName.status == 409)
            #expect(sameName.errorCode == "RESOURCE_ALREADY_EXISTS")
            #expect(sameName.json["error"]["details"]["field"].stringValue == "username")
            let sameEmail = try await server.request(.POST, "/auth/register", json: [
                "username": "fresh_name", "email": .string(first.email.uppercased()), "password": "12345678", "display_name": "D",
            ])
            #expect(sameEmail.status == 409)
            #expect(sameEmail.json["error"]["details"]["field"].stringValue == "email")
            // One message for both: only details.field, which the contract requires, tells them apart.
            #expect(sameName.json["error"]["message"] == sameEmail.json["error"]["message"])
        }
    }

    @Test("registration runs bcrypt for a taken username or email just as for a free one", arguments: TestEngine.available)
    func registrationAlwaysHashes(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let taken = try await server.register("taken")
            let work = WorkLog()
            // The real store under a service whose hasher reports its work.
            let auth = AuthService(
                users: server.server.store, sessions: server.server.store, signer: TokenSigner(secret: Array(repeating: 7, count: 48)),
                hasher: PasswordHasher(cost: 4, observer: { work.append($0) }), settings: AuthSettings(bcryptCost: 4),
                revocations: SessionRevocations())
            let attempts: [(String, String, String?)] = [
                (taken.username.uppercased(), "fresh@example.com", "username"), ("fresh_name", taken.email, "email"), ("fresh_name", "fresh@example.com", nil),
            ]
            for (username, email, takenField) in attempts {
                work.clear()
                do {
                    _ = try await auth.register(RegistrationInput(username: username, email: email, password: "12345678", displayName: "T"))
                    #expect(takenField == nil)
                } catch let error as ParleyError {
                    #expect(error.code == .resourceAlreadyExists)
                    #expect(error.details["field"]?.stringValue == takenField)
                }
                #expect(work.entries == [.hash], "\(username) \(email)")
            }
        }
    }

    @Test("concurrent registrations of one name: exactly one wins", arguments: TestEngine.available)
    func concurrentDuplicates(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await server.request(.POST, "/auth/register", json: [
                            "username": "racer", "email": .string("racer\(index)@example.com"), "password": "12345678", "display_name": "R",
                        ]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 7)
        }
    }

    @Test("login by username or email, case-insensitive; wrong password and unknown user look alike", arguments: TestEngine.available)
    func login(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("login")
            for login in [user.username, user.username.uppercased(), user.email, user.email.uppercased()] {
                let response = try await server.request(.POST, "/auth/login", json: ["username": .string(login), "password": .string(user.password)])
                #expect(response.status == 200, "\(login)")
                #expect(response.data["user"]["id"].stringValue == user.id)
                #expect(response.data["user"]["last_login"].stringValue.flatMap(Timestamp.init(rfc3339:)) != nil)
                #expect(response.data["refresh_token"].stringValue != nil)
            }
            let wrong = try await server.request(.POST, "/auth/login", json: ["username": .string(user.username), "password": "wrong password"])
            let unknown = try await server.request(.POST, "/auth/login", json: ["username": "nobody_here", "password": "wrong password"])
            #expect(wrong.status == 401 && unknown.status == 401)
            #expect(wrong.errorCode == "AUTH_INVALID_CREDENTIALS" && unknown.errorCode == "AUTH_INVALID_CREDENTIALS")
            #expect(wrong.json["error"]["message"] == unknown.json["error"]["message"])
            let missing = try await server.request(.POST, "/auth/login", json: ["username": .string(user.username)])
            #expect(missing.status == 422)
            #expect(missing.json["error"]["details"]["field"].stringValue == "password")
        }
    }

    @Test("after repeated failed logins for an account, that address gets 429 with retry_after even with the right password; other accounts are not held", arguments: TestEngine.available)
    func loginBackoff(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: {
            $0.loginFailuresPerAddress = 3
            $0.loginBackoffInitial = 600
        }) { server in
            let victim = try await server.register("victim")
            let bystander = try await server.register("bystander")
            for _ in 0..<3 {
                let wrong = try await server.request(.POST, "/auth/login", json: ["username": .string(victim.username), "password": "not the password"])
                #expect(wrong.status == 401)
            }
            let held = try await server.request(.POST, "/auth/login", json: ["username": .string(victim.email), "password": .string(victim.password)])
            #expect(held.status == 429)
            #expect(held.errorCode == "RATE_LIMIT_EXCEEDED")
            let wait = try #require(held.json["error"]["details"]["retry_after"].intValue)
            #expect(wait > 500 && wait <= 600)
            #expect(held.header("Retry-After") == String(wait))
            #expect(try await server.request(.POST, "/auth/login", json: ["username": .string(bystander.username), "password": .string(bystander.password)]).status == 200)
            // Unknown names are held back alike, so the backoff does not reveal which accounts exist.
            for _ in 0..<3 {
                _ = try await server.request(.POST, "/auth/login", json: ["username": "no_such_user", "password": "not the password"])
            }
            #expect(try await server.request(.POST, "/auth/login", json: ["username": "NO_SUCH_USER", "password": "whatever"]).status == 429)
            // The victim's existing sessions are untouched.
            #expect(try await server.request(.GET, "/users/me", token: victim.accessToken).status == 200)
        }
    }

    @Test("failures from many addresses hold back new addresses but not one the owner logged in from", arguments: TestEngine.available)
    func loginBackoffSparesOwner(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            // The real store under a service whose backoff is strict; addresses are given directly.
            let auth = AuthService(
                users: server.server.store, sessions: server.server.store, signer: TokenSigner(secret: Array(repeating: 9, count: 48)),
                hasher: PasswordHasher(cost: 4), settings: AuthSettings(bcryptCost: 4), revocations: SessionRevocations(),
                loginBackoff: LoginBackoff(settings: LoginBackoffSettings(failuresPerAddress: 2, failuresPerAccount: 4, initialDelay: 600)))
            let owner = try await auth.register(
                RegistrationInput(username: "owner", email: "owner@example.com", password: "owner password", displayName: "O"),
                client: ClientInfo(address: "10.0.0.1"))
            #expect(owner.session.ipAddress == "10.0.0.1")
            for index in 2..<6 {
                await #expect(throws: ParleyError.invalidCredentials) {
                    _ = try await auth.login(login: "owner", password: "guess \(index)", client: ClientInfo(address: "10.0.0.\(index)"))
                }
            }
            do {
                _ = try await auth.login(login: "owner", password: "owner password", client: ClientInfo(address: "10.0.0.77"))
                Issue.record("a new address passed the account's hold")
            } catch let error as ParleyError {
                #expect(error.status == 429 && error.details["scope"] == "login")
            }
            let again = try await auth.login(login: "OWNER@example.com", password: "owner password", client: ClientInfo(address: "10.0.0.1"))
            #expect(again.user.id == owner.user.id)
        }
    }

    @Test("with rotation off, refresh issues a working access token and keeps the refresh token; bad ones are refused", arguments: TestEngine.available)
    func refresh(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.rotateRefreshTokens = false }) { server in
            let user = try await server.register("refresh")
            let response = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            #expect(response.status == 200)
            #expect(response.data["expires_in"].intValue == 1800)
            #expect(response.data["refresh_token"].isNull)
            let access = try #require(response.data["access_token"].stringValue)
            #expect(try await server.request(.GET, "/users/me", token: access).status == 200)
            let again = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            #expect(again.status == 200)

            let bad = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": "made-up"])
            #expect(bad.status == 401)
            #expect(bad.errorCode == "AUTH_REFRESH_TOKEN_INVALID")
            let accessAsRefresh = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.accessToken)])
            #expect(accessAsRefresh.errorCode == "AUTH_REFRESH_TOKEN_INVALID")
            let missing = try await server.request(.POST, "/auth/refresh", json: [:])
            #expect(missing.status == 422)
            #expect(missing.errorCode == "VALIDATION_REQUIRED_FIELD")
        }
    }

    @Test("rotation is on by default: refresh replaces the refresh token, and a prompt retry of the old one is refused without ending the session", arguments: TestEngine.available)
    func rotation(engine: TestEngine) async throws {
        #expect(ParleyConfiguration().rotateRefreshTokens)
        try await TestServer.with(engine) { server in
            let user = try await server.register("rotate")
            let first = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            let next = try #require(first.data["refresh_token"].stringValue)
            #expect(next != user.refreshToken)
            // Within the grace a rotated-away token is a retry, not a theft.
            let reused = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            #expect(reused.status == 401)
            #expect(reused.errorCode == "AUTH_REFRESH_TOKEN_INVALID")
            #expect(try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(next)]).status == 200)
            #expect(try await server.request(.GET, "/users/me", token: user.accessToken).status == 200)
        }
    }

    @Test("of eight concurrent refreshes with one token exactly one succeeds, and the losers do not end the session", arguments: TestEngine.available)
    func concurrentRefresh(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("race")
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)]) }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            let winners = responses.filter { $0.status == 200 }
            #expect(winners.count == 1)
            #expect(responses.filter { $0.status == 401 && $0.errorCode == "AUTH_REFRESH_TOKEN_INVALID" }.count == 7)
            let next = try #require(winners.first?.data["refresh_token"].stringValue)
            #expect(try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(next)]).status == 200)
            #expect(try await server.request(.GET, "/users/me", token: user.accessToken).status == 200)
        }
    }

    @Test("a rotated-away refresh token presented after the grace ends its session and closes its sockets", arguments: TestEngine.available)
    func refreshReuse(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.refreshReuseGrace = 0 }) { server in
            let user = try await server.register("reuse")
            let other = try await server.login(user)
            let socket = try await TestSocket.connect(server, token: user.accessToken)
            let first = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            let next = try #require(first.data["refresh_token"].stringValue)
            let newAccess = try #require(first.data["access_token"].stringValue)
            try await Task.sleep(for: .milliseconds(20))

            let stolen = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            #expect(stolen.status == 401)
            #expect(stolen.errorCode == "AUTH_REFRESH_TOKEN_INVALID")
            // The whole session ended: the newest refresh token and every access token of it.
            #expect(try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(next)]).errorCode == "AUTH_REFRESH_TOKEN_INVALID")
            #expect(try await server.request(.GET, "/users/me", token: newAccess).errorCode == "AUTH_TOKEN_INVALID")
            #expect(try await server.request(.GET, "/users/me", token: user.accessToken).status == 401)
            #expect(try await socket.closeFrame()?.closeCode == .policyViolation)
            // Other sessions of the user are untouched.
            #expect(try await server.request(.GET, "/users/me", token: other.accessToken).status == 200)
        }
    }

    @Test("logout ends one session only", arguments: TestEngine.available)
    func logout(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let sessionA = try await server.register("logout")
            let sessionB = try await server.login(sessionA)
            let response = try await server.request(.POST, "/auth/logout", token: sessionA.accessToken)
            #expect(response.status == 200)
            #expect(response.json["message"].stringValue == "Logged out successfully")

            let deadAccess = try await server.request(.GET, "/users/me", token: sessionA.accessToken)
            #expect(deadAccess.status == 401)
            #expect(deadAccess.errorCode == "AUTH_TOKEN_INVALID")
            let deadRefresh = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(sessionA.refreshToken)])
            #expect(deadRefresh.errorCode == "AUTH_REFRESH_TOKEN_INVALID")

            #expect(try await server.request(.GET, "/users/me", token: sessionB.accessToken).status == 200)
            #expect(try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(sessionB.refreshToken)]).status == 200)
            let again = try await server.request(.POST, "/auth/logout", token: sessionA.accessToken)
            #expect(again.status == 401)
        }
    }

    @Test("forged, foreign and malformed tokens are AUTH_TOKEN_INVALID", arguments: TestEngine.available)
    func forgedTokens(engine: TestEngine) async throws {
        let secret = Array("a-test-secret-that-is-long-enough-for-hs256!".utf8)
        try await TestServer.with(engine, configure: { $0.jwtSecret = secret }) { server in
            let user = try await server.register("forge")
            let claims = try decodeClaims(user.accessToken)
            let now = Int64(Date().timeIntervalSince1970)

            let header = { (json: String) in Base64URL.encode(Array(json.utf8)) }
            let payload = Base64URL.encode(try JSONEncoder().encode(claims))
            let algNone = header(#"{"alg":"none","typ":"JWT"}"#) + "." + payload + "."
            let foreign = TokenSigner(secret: Array("another-secret-another-secret-another!".utf8)).sign(claims)
            // A correct HS256 MAC under a header that claims another algorithm.
            let hs512Input = header(#"{"alg":"HS512","typ":"JWT"}"#) + "." + payload
            let hs512 = hs512Input + "." + (TokenSigner(secret: secret).sign(claims).split(separator: ".").last.map(String.init) ?? "")
            var asRefresh = claims
            asRefresh.typ = "refresh"
            let refreshTyped = TokenSigner(secret: secret).sign(asRefresh)
            var unknownSession = claims
            unknownSession.sid = Identifiers.uuid()
            let noSession = TokenSigner(secret: secret).sign(unknownSession)
            var otherUser = claims
            otherUser.sub = Identifiers.uuid()
            let wrongSubject = TokenSigner(secret: secret).sign(otherUser)

            let forged = [algNone, foreign, hs512, refreshTyped, noSession, wrongSubject, user.refreshToken, "garbage", "a.b.c", ""]
            for token in forged {
                let response = try await server.request(.GET, "/users/me", headers: [("Authorization", "Bearer \(token)")])
                #expect(response.status == 401, "\(token)")
                #expect(response.errorCode == "AUTH_TOKEN_INVALID", "\(token)")
            }
            let notBearer = try await server.request(.GET, "/users/me", headers: [("Authorization", "Basic dXNlcjpwYXNz")])
            #expect(notBearer.errorCode == "AUTH_TOKEN_INVALID")
            let missing = try await server.request(.GET, "/users/me")
            #expect(missing.status == 401)
            #expect(missing.errorCode == "AUTH_TOKEN_INVALID")
            #expect(missing.json["error"]["message"].stringValue == "Authentication required")
            // The genuine token, re-signed with the server's secret, still works: the test's forgeries differ only where intended.
            var genuine = claims
            genuine.exp = now + 600
            #expect(try await server.request(.GET, "/users/me", token: TokenSigner(secret: secret).sign(genuine)).status == 200)
        }
    }

    @Test("an expired access token is AUTH_TOKEN_EXPIRED", arguments: TestEngine.available)
    func expired(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.accessTokenTTL = 2 }) { server in
            let user = try await server.register("expiry")
            // Wait for the expiry (tolerant of a slow machine), then the answer must say expired, not invalid.
            var response = try await server.request(.GET, "/users/me", token: user.accessToken)
            let deadline = ContinuousClock.now + .seconds(15)
            while response.status == 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
                response = try await server.request(.GET, "/users/me", token: user.accessToken)
            }
            #expect(response.status == 401)
            #expect(response.errorCode == "AUTH_TOKEN_EXPIRED")
            // The session itself is alive: a refresh yields a fresh token.
            let refreshed = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            #expect(refreshed.status == 200)
        }
    }

    @Test("a deactivated user gets AUTH_USER_INACTIVE on login, tokens and refresh", arguments: TestEngine.available)
    func inactive(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("inactive")
            _ = try await server.server.auth.setActive(username: user.username, isActive: false)
            let me = try await server.request(.GET, "/users/me", token: user.accessToken)
            #expect(me.status == 403)
            #expect(me.errorCode == "AUTH_USER_INACTIVE")
            let login = try await server.request(.POST, "/auth/login", json: ["username": .string(user.username), "password": .string(user.password)])
            #expect(login.status == 403)
            #expect(login.errorCode == "AUTH_USER_INACTIVE")
            let refresh = try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(user.refreshToken)])
            #expect(refresh.errorCode == "AUTH_USER_INACTIVE")
            // A wrong password still says only that the credentials are wrong.
            let wrong = try await server.request(.POST, "/auth/login", json: ["username": .string(user.username), "password": "not it at all"])
            #expect(wrong.errorCode == "AUTH_INVALID_CREDENTIALS")
            _ = try await server.server.auth.setActive(username: user.username, isActive: true)
            #expect(try await server.request(.GET, "/users/me", token: user.accessToken).status == 200)
        }
    }

    @Test("PUT /users/me validates and applies changes; null clears", arguments: TestEngine.available)
    func updateProfile(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("profile")
            let pem = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation
            let updated = try await server.request(.PUT, "/users/me", json: [
                "display_name": "New Name", "avatar_url": "https://cdn.example.com/a.png", "public_key": .string(pem),
            ], token: user.accessToken)
            #expect(updated.status == 200)
            #expect(updated.data["display_name"].stringValue == "New Name")
            #expect(updated.data["avatar_url"].stringValue == "https://cdn.example.com/a.png")
            #expect(updated.data["public_key"].stringValue == pem)

            let cleared = try await server.request(.PUT, "/users/me", json: ["public_key": nil, "avatar_url": nil], token: user.accessToken)
            #expect(cleared.data["public_key"].isNull && cleared.data["avatar_url"].isNull)
            #expect(cleared.data["display_name"].stringValue == "New Name")

            for (field, value, code) in [
                ("display_name", JSONValue.string(""), "VALIDATION_REQUIRED_FIELD"),
                ("display_name", .string(String(repeating: "x", count: 101)), "VALIDATION_LENGTH_EXCEEDED"),
                ("avatar_url", "javascript:alert(1)", "VALIDATION_INVALID_FORMAT"),
                ("public_key", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----", "VALIDATION_INVALID_FORMAT"),
                ("display_name", 7, "VALIDATION_INVALID_FORMAT"),
            ] {
                let response = try await server.request(.PUT, "/users/me", json: [field: value], token: user.accessToken)
                #expect(response.status == 422, "\(field)")
                #expect(response.errorCode == code, "\(field): \(response.text)")
                #expect(response.json["error"]["details"]["field"].stringValue == field)
            }
            let unchanged = try await server.request(.GET, "/users/me", token: user.accessToken)
            #expect(unchanged.data["display_name"].stringValue == "New Name")
            #expect(try await server.request(.PUT, "/users/me", json: ["display_name": "X"]).status == 401)
        }
    }

    @Test("passwords are stored as bcrypt with cost 10 by default")
    func bcryptCost() async throws {
        try await TestServer.with(.sqlite, configure: { $0.bcryptCost = ParleyConfiguration().bcryptCost }) { server in
            let user = try await server.register("hash")
            let stored = try #require(try await server.server.store.user(id: user.id))
            #expect(stored.passwordHash.hasPrefix("$2b$10$"))
            #expect(!stored.passwordHash.contains(user.password))
        }
    }

    @Test("the generated JWT secret is private to its owner and survives a restart")
    func secretPersistence() async throws {
        let database = try await TestDatabase.make(.sqlite)
        let first = try await TestServer.start(database: database)
        let user = try await first.register("restart")
        await first.stop(keepDatabase: true)
        let path = database.directory + "/data/jwt-secret"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let second = try await TestServer.start(database: database)
        let status = try await second.request(.GET, "/users/me", token: user.accessToken).status
        await second.stop()
        #expect(status == 200)
    }
}

/// The claims inside a token, read without verification (tests craft variations of them).
func decodeClaims(_ token: String) throws -> AccessTokenClaims {
    let parts = token.split(separator: ".")
    guard parts.count == 3, let bytes = Base64URL.decode(parts[1]) else { throw TestFailure("not a JWT") }
    return try JSONDecoder().decode(AccessTokenClaims.self, from: Data(bytes))
}

/// The bcrypt operations a hasher reported, in order.
final class WorkLog: Sendable {
    private let log = Mutex<[PasswordHasher.Work]>([])

    func append(_ work: PasswordHasher.Work) { log.withLock { $0.append(work) } }
    func clear() { log.withLock { $0.removeAll() } }
    var entries: [PasswordHasher.Work] { log.withLock { $0 } }
}
