import Crypto
import HummingbirdBcrypt
import NIOPosix

import Foundation

/// bcrypt password hashing, run on a thread pool so that its deliberate slowness never blocks an event loop.
///
/// The password is first reduced with SHA-256 and base64-encoded: bcrypt reads at most 72 bytes and stops at
/// a NUL byte, and the pre-hash makes every character of a 128-character password count.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private let threadPool: NIOThreadPool

    public init(cost: UInt8, threadPool: NIOThreadPool = .singleton) {
        self.cost = cost
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let input = Self.prehash(password)
        let cost = self.cost
        return try await threadPool.runIfActive { Bcrypt.hash(input, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        let input = Self.prehash(password)
        return try await threadPool.runIfActive { Bcrypt.verify(input, hash: hash) }
    }

    /// A hash of a random password, verified against when a login names an unknown user so that the
    /// response time does not reveal whether the account exists.
    public func decoyHash() async throws -> String {
        try await hash(Base64URL.encode(SecureRandom.bytes(16)))
    }

    private static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Array(password.utf8))).base64EncodedString()
    }
}
