/// Where file contents live (a directory under the data directory today; an object store later).
public protocol BlobStore: Sendable {
    /// Removes stored blobs; missing ones are ignored.
    func delete(keys: [String]) async
    /// A new temporary blob to stream into; it becomes visible under a key only when committed.
    func makeSink() throws -> any BlobSink
    /// Random-access reading of a committed blob.
    func open(key: String) throws -> any BlobSource
}

/// A blob being written.
public protocol BlobSink: AnyObject {
    func write(_ bytes: [UInt8]) throws
    /// Makes the blob durable under `key`.
    func commit(as key: String) throws
    /// Throws the partial blob away.
    func discard()
}

/// A committed blob being read.
public protocol BlobSource: AnyObject {
    var size: Int { get }
    func read(offset: Int, count: Int) throws -> [UInt8]
    func close()
}
