import ArgumentParser

/// The connection flags of a command that talks to both servers.
struct ConnectionOptions: ParsableArguments, ServerConnection {
    @OptionGroup(title: "Production server") var production: ProductionServerFlags
    @OptionGroup(title: "Local server") var local: LocalServerFlags
    @OptionGroup(title: "Connection") var transport: TransportFlags

    var productionFlags: ProductionServerFlags? { production }
    var localFlags: LocalServerFlags? { local }
}

/// The connection flags of a command that reads production only (`export`, `repair`, `cleanup`).
struct ProductionConnectionOptions: ParsableArguments, ServerConnection {
    @OptionGroup(title: "Production server") var production: ProductionServerFlags
    @OptionGroup(title: "Connection") var transport: TransportFlags

    var productionFlags: ProductionServerFlags? { production }
    var localFlags: LocalServerFlags? { nil }
}

/// The connection flags of a command that talks to the local server only (`import`): it never
/// contacts production, so its help offers no production flags.
struct LocalConnectionOptions: ParsableArguments, ServerConnection {
    @OptionGroup(title: "Local server") var local: LocalServerFlags
    @OptionGroup(title: "Connection") var transport: TransportFlags

    var productionFlags: ProductionServerFlags? { nil }
    var localFlags: LocalServerFlags? { local }
}
