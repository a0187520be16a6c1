/// This tool's version, recorded in every archive's `archive.json`.
public let toolVersion = "0.1.0"
