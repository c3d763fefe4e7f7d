import Foundation
import ParleyCore

/// Blobs as files under one directory, sharded by the first two characters of their key. Keys are generated
/// by Parley (never derived from user input), so no path is ever built from a client's filename.
public struct FileBlobStore: BlobStore {
    public let root: String
    private let temporary: String

    public init(root: String) throws {
        self.root = root
        self.temporary = root + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Uploads that were in flight when the process stopped are garbage.
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] {
            try? FileManager.default.removeItem(atPath: temporary + "/" + leftover)
        }
    }

    /// The path of a blob; `key` must be one Parley generated (lower-case hex, digits and '-').
    public func path(for key: String) -> String? {
        guard key.utf8.count >= 8, key.utf8.count <= 64,
            key.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == UInt8(ascii: "-") })
        else { return nil }
        return "\(root)/\(key.prefix(2))/\(key)"
    }

    public func delete(keys: [String]) async {
        for key in keys {
            guard let path = path(for: key) else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    public func makeSink() throws -> any BlobSink {
        try FileBlobSink(directory: temporary, store: self)
    }

    public func open(key: String) throws -> any BlobSource {
        guard let path = path(for: key), let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.notFound }
        return FileBlobSource(handle: handle)
    }
}

/// A temporary file that becomes a blob by renaming (atomic on one file system).
final class FileBlobSink: BlobSink {
    private let path: String
    private let handle: FileHandle
    private let store: FileBlobStore
    private var done = false

    init(directory: String, store: FileBlobStore) throws {
        path = directory + "/" + UUID().uuidString.lowercased()
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteUnknown) }
        self.handle = handle
        self.store = store
    }

    func write(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
    }

    func commit(as key: String) throws {
        guard let destination = store.path(for: key) else { throw CocoaError(.fileWriteInvalidFileName) }
        try handle.synchronize()
        try handle.close()
        done = true
        let directory = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard rename(path, destination) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func discard() {
        guard !done else { return }
        done = true
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { discard() }
}

/// Positioned reads of a blob file.
final class FileBlobSource: BlobSource {
    private let handle: FileHandle
    let size: Int

    init(handle: FileHandle) {
        self.handle = handle
        self.size = Int((try? handle.seekToEnd()) ?? 0)
    }

    func read(offset: Int, count: Int) throws -> [UInt8] {
        try handle.seek(toOffset: UInt64(offset))
        return [UInt8](try handle.read(upToCount: count) ?? Data())
    }

    func close() { try? handle.close() }

    deinit { close() }
}
