import Crypto
import Foundation

/// The at-rest format of stored files: a 12-byte header (`PRB1` and an 8-byte nonce prefix), then the
/// content in 64 KiB chunks, each sealed with AES-256-GCM under the file's own data key.
///
/// Chunking lets uploads be encrypted while they stream in and lets a `Range` request decrypt only the
/// chunks it needs. Each chunk's nonce carries its index and its associated data binds the file id, the
/// index and whether it is the last chunk, so chunks cannot be reordered, swapped between files or dropped.
public enum BlobCipher {
    public static let chunkSize = 64 * 1024
    static let tagSize = 16
    static let headerSize = 12
    static let magic = Array("PRB1".utf8)

    /// Bytes a stored chunk takes.
    static let sealedChunkSize = chunkSize + tagSize

    static func nonce(prefix: [UInt8], index: Int) throws -> AES.GCM.Nonce {
        var bytes = prefix
        let counter = UInt32(truncatingIfNeeded: index)
        bytes += [UInt8(counter >> 24), UInt8((counter >> 16) & 0xFF), UInt8((counter >> 8) & 0xFF), UInt8(counter & 0xFF)]
        return try AES.GCM.Nonce(data: bytes)
    }

    static func associatedData(fileID: String, index: Int, isLast: Bool) -> [UInt8] {
        Array("parley/file/\(fileID)/\(index)/\(isLast ? 1 : 0)".utf8)
    }

    static func seal(_ chunk: [UInt8], key: SymmetricKey, prefix: [UInt8], fileID: String, index: Int, isLast: Bool) throws -> [UInt8] {
        let box = try AES.GCM.seal(chunk, using: key, nonce: nonce(prefix: prefix, index: index),
                                   authenticating: associatedData(fileID: fileID, index: index, isLast: isLast))
        return Array(box.ciphertext) + Array(box.tag)
    }

    static func open(_ sealed: [UInt8], key: SymmetricKey, prefix: [UInt8], fileID: String, index: Int, isLast: Bool) throws -> [UInt8] {
        guard sealed.count >= tagSize else { throw KeyRingError.corrupt }
        let box = try AES.GCM.SealedBox(
            nonce: nonce(prefix: prefix, index: index), ciphertext: sealed.dropLast(tagSize), tag: sealed.suffix(tagSize))
        return Array(try AES.GCM.open(box, using: key, authenticating: associatedData(fileID: fileID, index: index, isLast: isLast)))
    }
}

/// Decrypts byte ranges of a stored file.
public final class BlobReader {
    private let source: any BlobSource
    private let key: SymmetricKey
    private let fileID: String
    private let prefix: [UInt8]
    /// The plaintext size.
    public let size: Int

    init(source: any BlobSource, key: SymmetricKey, fileID: String, size: Int) throws {
        let header = try source.read(offset: 0, count: BlobCipher.headerSize)
        guard header.count == BlobCipher.headerSize, Array(header.prefix(4)) == BlobCipher.magic else { throw KeyRingError.corrupt }
        self.source = source
        self.key = key
        self.fileID = fileID
        self.prefix = Array(header.suffix(8))
        self.size = size
    }

    private var chunkCount: Int { (size + BlobCipher.chunkSize - 1) / BlobCipher.chunkSize }

    /// Plaintext bytes `range`, decrypting only the chunks it touches; `body` receives them piece by piece.
    public func read(_ range: Range<Int>, into body: ([UInt8]) throws -> Void) throws {
        guard !range.isEmpty else { return }
        var position = range.lowerBound
        while position < range.upperBound {
            let index = position / BlobCipher.chunkSize
            let chunkStart = index * BlobCipher.chunkSize
            let plainLength = min(BlobCipher.chunkSize, size - chunkStart)
            let sealed = try source.read(
                offset: BlobCipher.headerSize + index * BlobCipher.sealedChunkSize, count: plainLength + BlobCipher.tagSize)
            let plain = try BlobCipher.open(sealed, key: key, prefix: prefix, fileID: fileID, index: index, isLast: index == chunkCount - 1)
            let from = position - chunkStart
            let to = min(plain.count, range.upperBound - chunkStart)
            try body(Array(plain[from..<to]))
            position = chunkStart + to
        }
    }

    public func close() { source.close() }
}

/// Streams an upload into a temporary blob, encrypting as it goes, counting bytes and keeping what type
/// detection needs (the first bytes, and whether everything is text).
public final class UploadSink {
    public let fileID: String
    public let maximumBytes: Int
    private let sink: any BlobSink
    let key = SymmetricKey(size: .bits256)
    private let prefix = SecureRandom.bytes(8)
    private var buffer: [UInt8] = []
    private var chunkIndex = 0
    public private(set) var size = 0
    public private(set) var leadingBytes: [UInt8] = []
    private var text = TextValidator()
    private var finished = false

    public init(blobs: any BlobStore, maximumBytes: Int) throws {
        self.fileID = Identifiers.uuidV7()
        self.maximumBytes = maximumBytes
        self.sink = try blobs.makeSink()
        try sink.write(BlobCipher.magic + prefix)
    }

    /// Adds bytes; throws 413 `FILE_TOO_LARGE` the moment the limit is passed.
    public func append(_ bytes: [UInt8]) throws {
        size += bytes.count
        guard size <= maximumBytes else {
            throw ParleyError(.fileTooLarge, status: 413, "File exceeds \(maximumBytes) bytes", details: ["limit_bytes": .int(maximumBytes)])
        }
        if leadingBytes.count < FileTypeDetector.sniffLength {
            leadingBytes += bytes.prefix(FileTypeDetector.sniffLength - leadingBytes.count)
        }
        text.feed(bytes)
        buffer += bytes
        // Keep the last chunk back until the end, when it is known to be the last.
        while buffer.count > BlobCipher.chunkSize {
            try sink.write(BlobCipher.seal(Array(buffer.prefix(BlobCipher.chunkSize)), key: key, prefix: prefix, fileID: fileID, index: chunkIndex, isLast: false))
            buffer.removeFirst(BlobCipher.chunkSize)
            chunkIndex += 1
        }
    }

    /// Seals the last chunk. Afterwards the blob waits for `commit` or `discard`.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        if !buffer.isEmpty || chunkIndex == 0 && size > 0 {
            try sink.write(BlobCipher.seal(buffer, key: key, prefix: prefix, fileID: fileID, index: chunkIndex, isLast: true))
            buffer = []
        }
    }

    /// Whether every byte was UTF-8 text.
    public var isText: Bool { text.isCompleteText && size > 0 }

    func commit(as storageKey: String) throws { try sink.commit(as: storageKey) }

    public func discard() { sink.discard() }

    /// The file's data key, for wrapping.
    var keyBytes: [UInt8] { key.withUnsafeBytes { Array($0) } }
}
