import NIOCore
import Synchronization

/// Counts open connections per remote address and refuses those past the cap, so one address cannot take
/// every socket the process may open. Addresses in `exempt` (a reverse proxy that carries everyone's
/// connections) are not counted.
final class AddressConnectionCap: Sendable {
    private let limit: Int
    private let exempt: Set<String>
    private let open = Mutex<[String: Int]>([:])

    init(limit: Int, exempt: Set<String>) {
        self.limit = limit
        self.exempt = exempt
    }

    /// Admits `channel` or refuses it; an admitted channel is counted until it closes.
    func admit(_ channel: any Channel) -> Bool {
        guard limit > 0, let address = channel.remoteAddress?.ipAddress, !exempt.contains(address) else { return true }
        let admitted = open.withLock { open in
            let count = open[address, default: 0]
            guard count < limit else { return false }
            open[address] = count + 1
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { _ in
            self.open.withLock { open in
                let remaining = open[address, default: 1] - 1
                open[address] = remaining > 0 ? remaining : nil
            }
        }
        return true
    }

    /// Open connections counted for `address` (for tests).
    func count(for address: String) -> Int {
        open.withLock { $0[address, default: 0] }
    }
}
