import Crypto
import Foundation
import Synchronization

/// Encryption at rest for server-readable rooms (API.md §4).
///
/// Each room has AES-256 data keys, numbered by version and stored wrapped by the master key; content is
/// sealed with AES-256-GCM under the room's current key, with the row's identity as associated data so that
/// a ciphertext moved to another row does not open. Unwrapped keys are cached in memory.
public final class KeyRing: Sendable {
    private let master: SymmetricKey
    /// A short, non-secret fingerprint of the master key, stored beside each wrapped key.
    public let masterKeyID: String
    private let store: any RoomKeyStore
    private let cache = Mutex<[String: [Int: SymmetricKey]]>([:])
    private let hashers = Mutex<[String: SearchHasher]>([:])

    public init(masterKey: [UInt8], store: any RoomKeyStore) {
        self.master = SymmetricKey(data: masterKey)
        self.masterKeyID = SHA256.hash(data: Array("parley-master-key".utf8) + masterKey).prefix(8)
            .map { String(format: "%02x", $0) }.joined()
        self.store = store
    }

    /// The newest key of a room, creating version 1 on first use.
    public func currentKey(roomID: String) async throws -> (version: Int, key: SymmetricKey) {
        if let cached = cache.withLock({ $0[roomID] }), let newest = cached.keys.max(), let key = cached[newest] {
            return (newest, key)
        }
        var keys = try await load(roomID: roomID)
        if keys.isEmpty {
            let created = try await create(roomID: roomID, version: 1)
            keys = [created.version: created.key]
        }
        let newest = keys.keys.max()!
        return (newest, keys[newest]!)
    }

    /// A specific version of a room's key (to open older rows).
    public func key(roomID: String, version: Int) async throws -> SymmetricKey {
        if let key = cache.withLock({ $0[roomID]?[version] }) { return key }
        guard let key = try await load(roomID: roomID)[version] else {
            throw KeyRingError.missingKey(roomID: roomID, version: version)
        }
        return key
    }

    /// Adds a new key version; new content is sealed with it, older rows keep opening with theirs.
    @discardableResult
    public func rotate(roomID: String) async throws -> Int {
        let existing = try await load(roomID: roomID)
        return try await create(roomID: roomID, version: (existing.keys.max() ?? 0) + 1).version
    }

    /// Seals `plaintext` under the room's current key; returns base64 and the key version used.
    public func seal(_ plaintext: [UInt8], roomID: String, context: String) async throws -> (sealed: String, version: Int) {
        let (version, key) = try await currentKey(roomID: roomID)
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(context.utf8))
        guard let combined = box.combined else { throw KeyRingError.sealFailed }
        return (combined.base64EncodedString(), version)
    }

    /// Opens what `seal` produced with the same context.
    public func open(_ sealed: String, version: Int, roomID: String, context: String) async throws -> [UInt8] {
        let key = try await key(roomID: roomID, version: version)
        guard let data = Data(base64Encoded: sealed) else { throw KeyRingError.corrupt }
        let box = try AES.GCM.SealedBox(combined: data)
        return [UInt8](try AES.GCM.open(box, using: key, authenticating: Array(context.utf8)))
    }

    /// Rewraps every stored room key and master-wrapped file key from this ring's master key to `newMasterKey`
    /// (the server must be stopped). Returns how many of each were rewrapped.
    public func rewrapAll(
        to newMasterKey: [UInt8], fileContext: @escaping @Sendable (_ fileID: String, _ roomID: String?) -> String
    ) async throws -> (rooms: Int, files: Int) {
        let successor = KeyRing(masterKey: newMasterKey, store: store)
        return try await store.rewrapAll(
            roomKey: { stored in
                let key = try self.unwrap(stored)
                return try successor.wrap(key, roomID: stored.roomID, version: stored.version, createdAt: stored.createdAt)
            },
            fileKey: { fileID, roomID, wrapped in
                let context = fileContext(fileID, roomID)
                return try successor.sealWithMaster(try self.openWithMaster(wrapped, context: context), context: context)
            })
    }

    private func wrap(_ key: SymmetricKey, roomID: String, version: Int, createdAt: Timestamp) throws -> StoredRoomKey {
        let sealed = try key.withUnsafeBytes { bytes in
            try AES.GCM.seal(Array(bytes), using: master, authenticating: Array(Self.wrapContext(roomID: roomID, version: version).utf8))
        }
        guard let combined = sealed.combined else { throw KeyRingError.sealFailed }
        return StoredRoomKey(roomID: roomID, version: version, wrappedKey: combined.base64EncodedString(), masterKeyID: masterKeyID, createdAt: createdAt)
    }

    /// Seals small secrets (file data keys) directly under the master key, for content that belongs to no
    /// server-readable room (files of end-to-end rooms, avatars).
    public func sealWithMaster(_ plaintext: [UInt8], context: String) throws -> String {
        guard let combined = try AES.GCM.seal(plaintext, using: master, authenticating: Array(context.utf8)).combined else {
            throw KeyRingError.sealFailed
        }
        return combined.base64EncodedString()
    }

    public func openWithMaster(_ sealed: String, context: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: sealed) else { throw KeyRingError.corrupt }
        return [UInt8](try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: master, authenticating: Array(context.utf8)))
    }

    /// Seals raw bytes (file contents) with a key given by the caller; used by the blob store in chunks.
    public static func seal(_ bytes: [UInt8], key: SymmetricKey, context: [UInt8]) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(bytes, using: key, authenticating: context).combined else { throw KeyRingError.sealFailed }
        return [UInt8](combined)
    }

    public static func open(_ bytes: [UInt8], key: SymmetricKey, context: [UInt8]) throws -> [UInt8] {
        [UInt8](try AES.GCM.open(AES.GCM.SealedBox(combined: bytes), using: key, authenticating: context))
    }

    /// The room's search-index hasher, derived from its first data key (stable across rotations).
    public func searchHasher(roomID: String) async throws -> SearchHasher {
        if let hasher = hashers.withLock({ $0[roomID] }) { return hasher }
        let first: SymmetricKey
        if let existing = try? await key(roomID: roomID, version: 1) {
            first = existing
        } else {
            first = try await currentKey(roomID: roomID).key
        }
        let hasher = SearchHasher(roomKey: first)
        hashers.withLock { $0[roomID] = hasher }
        return hasher
    }

    /// Drops a deleted room's keys from memory.
    public func forget(roomID: String) {
        _ = cache.withLock { $0.removeValue(forKey: roomID) }
        _ = hashers.withLock { $0.removeValue(forKey: roomID) }
    }

    private func load(roomID: String) async throws -> [Int: SymmetricKey] {
        var keys: [Int: SymmetricKey] = [:]
        for stored in try await store.roomKeys(roomID: roomID) {
            keys[stored.version] = try unwrap(stored)
        }
        let loaded = keys
        cache.withLock { $0[roomID] = loaded }
        return loaded
    }

    /// A new data key, wrapped and ready to be stored in the caller's transaction (room creation).
    public func prepareKey(roomID: String, version: Int) throws -> PreparedRoomKey {
        let dataKey = SymmetricKey(size: .bits256)
        return PreparedRoomKey(stored: try wrap(dataKey, roomID: roomID, version: version, createdAt: .now()), key: dataKey)
    }

    /// Caches a prepared key once its transaction committed.
    public func remember(_ prepared: PreparedRoomKey) {
        cache.withLock { $0[prepared.stored.roomID, default: [:]][prepared.stored.version] = prepared.key }
    }

    private func create(roomID: String, version: Int) async throws -> (version: Int, key: SymmetricKey) {
        let prepared = try prepareKey(roomID: roomID, version: version)
        // Another writer may have created this version first: use whatever is stored.
        let key = try unwrap(try await store.insertRoomKey(prepared.stored))
        cache.withLock { $0[roomID, default: [:]][version] = key }
        return (version, key)
    }

    private func unwrap(_ stored: StoredRoomKey) throws -> SymmetricKey {
        guard stored.masterKeyID == masterKeyID else { throw KeyRingError.wrongMasterKey(roomID: stored.roomID) }
        guard let data = Data(base64Encoded: stored.wrappedKey) else { throw KeyRingError.corrupt }
        let raw = try AES.GCM.open(
            AES.GCM.SealedBox(combined: data), using: master,
            authenticating: Array(Self.wrapContext(roomID: stored.roomID, version: stored.version).utf8))
        return SymmetricKey(data: raw)
    }

    private static func wrapContext(roomID: String, version: Int) -> String { "parley/room-key/\(roomID)/\(version)" }
}

/// A wrapped data key with its plain form, between preparation and commit.
public struct PreparedRoomKey: Sendable {
    public let stored: StoredRoomKey
    let key: SymmetricKey
}

/// Why content could not be sealed or opened.
public enum KeyRingError: Error, Sendable, Equatable {
    case missingKey(roomID: String, version: Int)
    /// The room's keys were wrapped by another master key than the configured one.
    case wrongMasterKey(roomID: String)
    case corrupt
    case sealFailed
}
