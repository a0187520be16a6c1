import ArgumentParser

/// Where production is and its key, for commands that read production. Kept apart from the local
/// server's flags so that `import --help`, which never contacts production, does not offer them.
struct ProductionServerFlags: ParsableArguments {
    @Option(help: "The production Qdrant URL (default: $QDRANT_PRODUCTION_URL).")
    var productionURL: String?

    @Option(help: "A file holding the production API key (without it, the key itself is taken from $QDRANT_API_KEY).")
    var apiKeyFile: String?
}

/// Where the local server is and its key, for commands that write or read it.
struct LocalServerFlags: ParsableArguments {
    @Option(help: "The local Qdrant URL (default: $QDRANT_LOCAL_URL, else http://localhost:6333).")
    var localURL: String?

    @Option(help: "A file holding the local API key (without it, the key itself is taken from $QDRANT_LOCAL_API_KEY).")
    var localAPIKeyFile: String?
}
