import Foundation
import ParleyCore

/// The data directory: created if missing, checked writable, and home of generated secrets.
public struct DataDirectory: Sendable {
    public let path: String

    /// Creates the directory (0700) if needed and checks that Parley can write to it.
    public init(path: String) throws(ConfigurationError) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: absolute, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ConfigurationError("PARLEY_DATA_DIR \(absolute) exists but is not a directory; point it at a directory")
            }
        } else {
            do {
                try manager.createDirectory(atPath: absolute, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ConfigurationError("PARLEY_DATA_DIR \(absolute) cannot be created; create it or choose a writable location")
            }
        }
        guard manager.isWritableFile(atPath: absolute), manager.isReadableFile(atPath: absolute) else {
            throw ConfigurationError("PARLEY_DATA_DIR \(absolute) is not readable and writable by this user; fix its permissions or choose another directory")
        }
        self.path = absolute
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Reads the secret stored in `name`, or generates `byteCount` random bytes and stores them with mode 0600.
    ///
    /// Creation uses O_EXCL so that two processes starting at once agree on one secret.
    public func secret(named name: String, byteCount: Int) throws(ConfigurationError) -> [UInt8] {
        let filePath = file(name)
        for _ in 0..<100 {
            if let existing = FileManager.default.contents(atPath: filePath) {
                let text = String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if text.isEmpty {
                    // Another process created the file and has not written it yet.
                    usleep(20_000)
                    continue
                }
                guard let bytes = Data(base64Encoded: text), bytes.count == byteCount else {
                    throw ConfigurationError("\(filePath) is not a valid Parley secret; restore it from a backup or remove it to generate a new one")
                }
                return [UInt8](bytes)
            }
            let bytes = SecureRandom.bytes(byteCount)
            let descriptor = open(filePath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if descriptor < 0 {
                if errno == EEXIST { continue }
                throw ConfigurationError("cannot create \(filePath): \(String(cString: strerror(errno))); check PARLEY_DATA_DIR permissions")
            }
            let encoded = Array((Data(bytes).base64EncodedString() + "\n").utf8)
            let written = encoded.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            fsync(descriptor)
            close(descriptor)
            guard written == encoded.count else {
                unlink(filePath)
                throw ConfigurationError("cannot write \(filePath); check free disk space")
            }
            return bytes
        }
        throw ConfigurationError("cannot read \(filePath)")
    }

    /// Replaces a stored secret atomically (write to a new 0600 file, then rename over the old one).
    public func replaceSecret(named name: String, with bytes: [UInt8]) throws(ConfigurationError) {
        let target = file(name)
        let temporary = target + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw ConfigurationError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let encoded = Array((Data(bytes).base64EncodedString() + "\n").utf8)
        let written = encoded.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == encoded.count, rename(temporary, target) == 0 else {
            unlink(temporary)
            throw ConfigurationError("cannot replace \(target); check free disk space and permissions")
        }
    }
}
