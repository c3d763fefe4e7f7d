/// A room's data key as stored: wrapped (AES-GCM sealed) by the master key.
public struct StoredRoomKey: Sendable, Equatable {
    public var roomID: String
    public var version: Int
    /// base64 of the AES-GCM combined box (nonce, ciphertext, tag).
    public var wrappedKey: String
    /// Identifies the master key that wrapped it (a hash prefix, never the key).
    public var masterKeyID: String
    public var createdAt: Timestamp

    public init(roomID: String, version: Int, wrappedKey: String, masterKeyID: String, createdAt: Timestamp) {
        self.roomID = roomID
        self.version = version
        self.wrappedKey = wrappedKey
        self.masterKeyID = masterKeyID
        self.createdAt = createdAt
    }
}

/// Persistence of wrapped room data keys.
public protocol RoomKeyStore: Sendable {
    func roomKeys(roomID: String) async throws -> [StoredRoomKey]
    /// Inserts the key unless its version already exists; returns what is stored for that version (the other
    /// writer's key when two raced).
    func insertRoomKey(_ key: StoredRoomKey) async throws -> StoredRoomKey
    /// The fingerprints of every master key that wrapped a stored room key.
    func masterKeyIDs() async throws -> Set<String>
    /// Rewraps, in one transaction, every room key and every master-wrapped file key with `transform`.
    func rewrapAll(roomKey transform: @Sendable (StoredRoomKey) throws -> StoredRoomKey,
                   fileKey: @Sendable (_ fileID: String, _ roomID: String?, _ wrapped: String) throws -> String) async throws -> (rooms: Int, files: Int)
}
