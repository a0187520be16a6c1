/// The outcome of one item of a ``CollectionBatch``: its value, or the error that stopped it.
public struct BatchOutcome<Item: Sendable, Value: Sendable>: Sendable {
    public let item: Item
    public let result: Result<Value, any Error>

    /// The failure's kind; nil for a success.
    public var failureKind: FailureKind? {
        if case .failure(let error) = result { error.failureKind } else { nil }
    }

    public var value: Value? { try? result.get() }
    public var error: (any Error)? {
        if case .failure(let error) = result { error } else { nil }
    }
}

/// Runs one operation per collection or archive, in order, where one failure does not stop the
/// others (DESIGN.md, "Exit codes": a run over several collections goes on after one fails and
/// reports the first failure). Every front end runs its multi-item work through this, so that
/// rule is kept in one place.
public struct CollectionBatch<Item: Sendable>: Sendable {
    public let items: [Item]

    public init(_ items: [Item]) {
        self.items = items
    }

    /// Runs `operation` for each item and hands each outcome to `report` as soon as it is known.
    /// Cancellation is the operation's to notice: it fails the item (and usually the rest), it
    /// does not skip them silently.
    @discardableResult
    public func run<Value: Sendable>(
        _ operation: (Item) async throws -> Value,
        report: (BatchOutcome<Item, Value>) async -> Void = { _ in }
    ) async -> [BatchOutcome<Item, Value>] {
        var outcomes: [BatchOutcome<Item, Value>] = []
        for item in items {
            let outcome: BatchOutcome<Item, Value>
            do {
                outcome = BatchOutcome(item: item, result: .success(try await operation(item)))
            } catch {
                outcome = BatchOutcome(item: item, result: .failure(error))
            }
            await report(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }
}

extension Array {
    /// The failure kinds of a batch's outcomes, in order: the first decides a run's exit code.
    public func failureKinds<Item, Value>() -> [FailureKind] where Element == BatchOutcome<Item, Value> {
        compactMap(\.failureKind)
    }
}
