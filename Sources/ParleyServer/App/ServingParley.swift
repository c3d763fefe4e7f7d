import Logging
import ParleyStore
import ServiceLifecycle

/// `parley serve` after its database client: builds the server on the running database (migrations
/// included), then runs its services in a group of their own, which shuts down when this service is told to.
struct ServingParley: Service, CustomStringConvertible {
    let configuration: ParleyConfiguration
    let database: ParleyServer.Database
    let logger: Logger
    /// The lifecycle logs services by description: the default one would print the configuration's secrets.
    var description: String { "ParleyServer" }

    func run() async throws {
        let server: ParleyServer
        do {
            server = try await ParleyServer.make(configuration: configuration, logger: logger, database: database)
        } catch {
            throw ParleyServer.StartFailure(underlying: error)
        }
        let logger = self.logger
        let host = configuration.host
        let services = server.makeServices { port in
            logger.info("Parley is serving", metadata: ["address": "http://\(host):\(port)"])
        }
        try await ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger)).run()
    }
}
