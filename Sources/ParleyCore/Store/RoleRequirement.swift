/// What a write demands of its actor's membership, checked again by the store inside the transaction that
/// writes. The service's own check happens before an await, so without this a role lost (or a membership
/// ended) in between could still be used. Built by `RoomPolicy.requirement`, so the permission table stays
/// in one place and the store only compares the roles it reads against it.
public struct RoleRequirement: Sendable, Equatable {
    /// The user acting.
    public let actorID: String
    /// For each role that may act, the roles a target member may have. Actions without a target member list
    /// every role; a role missing from the table may not act at all.
    public let grants: [RoomRole: Set<RoomRole>]

    public init(actorID: String, grants: [RoomRole: Set<RoomRole>]) {
        self.actorID = actorID
        self.grants = grants
    }

    /// Whether an actor holding `actorRole` (nil: not a member) may act, on a member holding `targetRole`
    /// when the action has a target.
    public func permits(actorRole: RoomRole?, targetRole: RoomRole? = nil) -> Bool {
        guard let actorRole, let targets = grants[actorRole] else { return false }
        return targetRole.map(targets.contains) ?? true
    }
}

/// The result of a write guarded by a `RoleRequirement`.
public enum Guarded<Value: Sendable>: Sendable {
    case done(Value)
    /// The roles read in the write's transaction did not permit it; nothing was changed. `targetRole` is the
    /// target member's role when the action has one (nil when it has none, or the target is not a member).
    case refused(actorRole: RoomRole?, targetRole: RoomRole?)
}
