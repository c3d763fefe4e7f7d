/// Where file contents live (a directory under the data directory today; an object store later).
public protocol BlobStore: Sendable {
    /// Removes stored blobs; missing ones are ignored.
    func delete(keys: [String]) async
}
