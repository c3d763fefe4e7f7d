import Crypto
import HummingbirdBcrypt
import NIOPosix

import Foundation

/// bcrypt password hashing, run on a thread pool so that its deliberate slowness never blocks an event loop.
///
/// The password is first reduced with SHA-256 and base64-encoded: bcrypt reads at most 72 bytes and stops at
/// a NUL byte, and the pre-hash makes every character of a 128-character password count.
public struct PasswordHasher: Sendable {
    /// A bcrypt operation, as reported to an observer.
    public enum Work: Sendable, Equatable {
        case hash, verify
    }

    public let cost: UInt8
    private let threadPool: NIOThreadPool
    private let observer: (@Sendable (Work) -> Void)?

    /// `observer` is told of every bcrypt operation (for metrics, and for tests that check the slow path ran).
    public init(cost: UInt8, threadPool: NIOThreadPool = .singleton, observer: (@Sendable (Work) -> Void)? = nil) {
        self.cost = cost
        self.threadPool = threadPool
        self.observer = observer
    }

    public func hash(_ password: String) async throws -> String {
        let input = Self.prehash(password)
        let cost = self.cost
        observer?(.hash)
        return try await threadPool.runIfActive { Bcrypt.hash(input, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        let input = Self.prehash(password)
        observer?(.verify)
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
