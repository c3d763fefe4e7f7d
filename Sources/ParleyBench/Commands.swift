import ArgumentParser

/// `idle`: many WebSocket connections that join nothing; the server's memory per connection.
struct IdleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idle", abstract: "Ramp up idle WebSocket connections; server RSS per connection.")

    @OptionGroup var server: ServerOptions
    @Option(help: "WebSocket connections to open.") var connections = 20_000
    @Option(help: "Users the connections are spread over.") var users = 20
    @Option(help: "Seconds to hold the connections before reading memory and closing.") var hold = 5.0
    @Option(help: "Connections per source address 127.0.0.k (each address has its own ephemeral ports).") var connectionsPerAddress = 20_000
    @Option(help: "Connection attempts in flight at once.") var concurrency = 128

    func run() async throws {
        let parameters = IdleParameters(
            connections: connections, users: users, hold: hold, connectionsPerAddress: connectionsPerAddress, concurrency: concurrency)
        try await runScenario("idle", server, connections: connections) { target, pool in
            try await IdleScenario.run(parameters, on: target, users: pool)
        }
    }
}

/// `room`: fan-out in one room under an open-loop send schedule.
struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "room", abstract: "One room, M subscribed members, S open-loop senders.")

    @OptionGroup var server: ServerOptions
    @Option(help: "Member connections subscribed to the room.") var members = 100
    @Option(help: "Members that also send.") var senders = 10
    @Option(help: "Messages per second offered in total (open loop).") var rate = 1000.0
    @Option(help: "Measured seconds.") var duration = 20.0
    @Option(help: "Warm-up seconds before measuring.") var warmup = 5.0
    @Option(help: "Message text size in bytes.") var messageBytes = 200
    @Option(help: "Member connections per registered user.") var membersPerUser = 10

    func run() async throws {
        let parameters = RoomParameters(
            members: members, senders: senders, rate: rate, duration: duration, warmup: warmup, messageBytes: messageBytes,
            membersPerUser: membersPerUser)
        try await runScenario("room", server, connections: members) { target, pool in
            try await RoomScenario.run(parameters, on: target, users: pool)
        }
    }
}

/// `rooms`: many small rooms with churn and catch-up.
struct RoomsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rooms", abstract: "Many rooms, low per-member rate, connection churn with after_seq catch-up.")

    @OptionGroup var server: ServerOptions
    @Option(help: "Rooms.") var rooms = 1000
    @Option(help: "Member connections per room.") var membersPerRoom = 10
    @Option(help: "Messages per second sent by each member (open loop).") var ratePerMember = 0.05
    @Option(help: "Connections closed and reopened per second.") var churn = 20.0
    @Option(help: "Measured seconds.") var duration = 20.0
    @Option(help: "Warm-up seconds before measuring.") var warmup = 5.0
    @Option(help: "Message text size in bytes.") var messageBytes = 200

    func run() async throws {
        let parameters = RoomsParameters(
            rooms: rooms, membersPerRoom: membersPerRoom, ratePerMember: ratePerMember, churn: churn, duration: duration, warmup: warmup,
            messageBytes: messageBytes)
        try await runScenario("rooms", server, connections: rooms * membersPerRoom) { target, pool in
            try await RoomsScenario.run(parameters, on: target, users: pool)
        }
    }
}

/// `history`: history pages and search over a large room.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Fill a room, then measure history pages and search at a fixed request rate.")

    @OptionGroup var server: ServerOptions
    @Option(help: "Messages to fill the room with.") var messages = 1_000_000
    @Option(help: "Requests per second in each query phase (open loop).") var rate = 200.0
    @Option(help: "Measured seconds of each phase (history, then search).") var duration = 20.0
    @Option(help: "Warm-up seconds before each phase is measured.") var warmup = 5.0
    @Option(help: "A room filled earlier on the server at --url or --reuse-url: skip the fill.") var room: String?
    @Option(help: "A running server holding --room (same as --url).") var reuseURL: String?
    @Option(help: "WebSocket connections that fill the room.") var fillConnections = 4
    @Option(help: "Unacknowledged sends per fill connection.") var fillWindow = 256

    func validate() throws {
        if reuseURL != nil, room == nil { throw ValidationError("--reuse-url needs --room") }
    }

    func run() async throws {
        var options = server
        if let reuseURL { options.url = reuseURL }
        let parameters = HistoryParameters(
            messages: messages, rate: rate, duration: duration, warmup: warmup, room: room, fillConnections: fillConnections,
            fillWindow: fillWindow)
        try await runScenario("history", options, connections: 256) { target, pool in
            try await HistoryScenario.run(parameters, on: target, users: pool)
        }
    }
}

/// `inserts`: durable insert throughput by concurrency, verified by reading back.
struct InsertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inserts", abstract: "Durable inserts at several sender concurrencies, then read back and verify.")

    @OptionGroup var server: ServerOptions
    @Option(help: "Comma-separated sender counts.") var concurrency = "1,8,32"
    @Option(help: "Messages per concurrency level.") var count = 5000
    @Option(help: "Unacknowledged messages allowed per sender.") var window = 64
    @Option(help: "Message text size in bytes.") var messageBytes = 200

    func validate() throws {
        guard levels.count > 0 else { throw ValidationError("--concurrency must list positive integers, e.g. 1,8,32") }
    }

    private var levels: [Int] {
        concurrency.split(separator: ",").compactMap { Int($0.filter { !$0.isWhitespace }) }.filter { $0 > 0 }
    }

    func run() async throws {
        let parameters = InsertsParameters(
            concurrency: levels, count: count, window: window, messageBytes: messageBytes, databaseURL: server.databaseURL)
        try await runScenario("inserts", server, connections: (levels.max() ?? 1) + 64) { target, pool in
            try await InsertsScenario.run(parameters, on: target, users: pool)
        }
    }
}
