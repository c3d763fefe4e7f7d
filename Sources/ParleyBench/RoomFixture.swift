import NIOCore

/// Rooms created and joined over REST, and their members connected over WebSocket: the setup shared by
/// `room` and `rooms`.
enum RoomFixture {
    /// Creates `count` public, server-readable rooms; room r's members are `users[(r + j) % users.count]`
    /// for j in 0..<membersPerRoom (the first creates it, the others join it).
    static func createRooms(
        _ count: Int, membersPerRoom: Int, users: [BenchUser], api: ParleyAPI, label: String
    ) async throws -> [String] {
        let started = Clock.now()
        let rooms = try await concurrently(count, limit: 8) { room in
            try await api.createRoom(name: "bench \(label) \(api.runID) \(room)", by: users[room % users.count])
        }
        var joins: [(room: String, user: BenchUser)] = []
        for (index, room) in rooms.enumerated() {
            var seen: Set<Int> = [index % users.count]
            for member in 0..<membersPerRoom {
                let user = (index + member) % users.count
                if seen.insert(user).inserted { joins.append((room, users[user])) }
            }
        }
        let joinList = joins
        _ = try await concurrently(joinList.count, limit: 8) { index in
            try await api.join(room: joinList[index].room, as: joinList[index].user)
        }
        Log.progress("created \(count) room(s) and made \(joinList.count) REST join(s) in \(fixed(Clock.seconds(since: started))) s")
        return rooms
    }

    /// Connects every member and waits until all have joined over WebSocket (or `timeout` passes).
    /// Returns the connection failures.
    static func connect(_ members: [Member], to target: BenchTarget, stats: DeliveryStats, timeout: Double = 120) async -> Int {
        let started = Clock.now()
        let failures = Counter()
        let next = Counter()
        let joinsBefore = stats.joins.value
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<min(64, max(members.count, 1)) {
                group.addTask {
                    while true {
                        let index = next.next()
                        guard index < members.count else { return }
                        do {
                            try await members[index].connect(to: target)
                        } catch {
                            failures.add()
                            stats.errorSamples.add("connect: \(error)")
                        }
                    }
                }
            }
            group.addTask {
                while next.value < members.count, Clock.seconds(since: started) < timeout {
                    await Clock.sleep(2)
                    Log.progress("connected \(min(next.value, members.count))/\(members.count), joined \(stats.joins.value - joinsBefore)")
                }
            }
        }
        let expected = members.count - failures.value
        while stats.joins.value - joinsBefore < expected, Clock.seconds(since: started) < timeout {
            await Clock.sleep(0.05)
        }
        Log.progress("\(stats.joins.value - joinsBefore) of \(members.count) member connections joined in \(fixed(Clock.seconds(since: started))) s")
        return failures.value + max(0, expected - (stats.joins.value - joinsBefore))
    }

    /// Closes every member's connection and waits (briefly) for the sockets to close.
    static func closeAll(_ members: [Member]) async {
        let clients = members.compactMap(\.connection)
        for member in members { member.disconnect() }
        let started = Clock.now()
        for client in clients {
            _ = try? await client.closeFuture.get()
            if Clock.seconds(since: started) > 15 { break }
        }
    }
}
