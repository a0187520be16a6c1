extension ArchiveLocation {
    /// Removes this archive and its `.sha256` sidecar, the archive first: stopped in between, this
    /// leaves a sidecar whose archive is gone (which `prune` removes as an orphan), never an archive
    /// without the sidecar that checks it whole. The one way archives are deleted.
    public func removeArchive() throws {
        try remove()
        try appendingSuffix(ArchiveName.sidecarSuffix).remove()
    }
}
