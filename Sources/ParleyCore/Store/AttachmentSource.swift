/// A file that a message may attach: uploaded to the same room by the sender and not attached yet.
public struct AttachableFile: Sendable, Equatable {
    public let id: String
    public let view: AttachmentView

    public init(id: String, view: AttachmentView) {
        self.id = id
        self.view = view
    }
}

/// What messages need to know about files.
public protocol AttachmentSource: Sendable {
    /// Validates that every id names a file of `roomID` uploaded by `uploaderID` and not attached yet.
    func claimable(_ fileIDs: [String], roomID: String, uploaderID: String) async throws -> [AttachableFile]
    /// Attachments of each message.
    func attachments(of messageIDs: [String]) async throws -> [String: [AttachmentView]]
}
