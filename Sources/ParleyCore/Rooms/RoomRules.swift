/// Field rules and defaults for rooms and invitations (seed and API.md §3).
public enum RoomRules {
    public static let nameLength = 1...100
    public static let descriptionMaximum = 500
    public static let maxMembersRange = 2...10_000
    public static let defaultMaxMembers = 100
    public static let summaryThresholdRange = 10...1000
    public static let defaultSummaryThreshold = 50
    public static let maxUsesRange = 1...100_000
    public static let expiresInHoursRange = 1...720
    public static let listLimitRange = 1...100
    public static let defaultListLimit = 20
}
