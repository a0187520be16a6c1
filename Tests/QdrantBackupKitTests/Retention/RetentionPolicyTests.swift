import Foundation
@testable import QdrantBackupKit
import Testing

@Suite("retention policy (restic's keep rules)")
struct RetentionPolicyTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// README's example table, written out by hand.
    static let example = ["2025-03-10T02:00:00Z", "2025-03-09T14:00:00Z", "2025-03-09T02:00:00Z", "2025-03-08T02:00:00Z",
                          "2025-03-07T02:00:00Z", "2025-03-02T02:00:00Z", "2025-02-23T02:00:00Z", "2025-02-01T02:00:00Z"].map(utc)

    @Test("README's example: --keep-last 2 --keep-daily 3 --keep-weekly 2 --keep-monthly 2")
    func readmeExample() {
        let reasons = RetentionPolicy(last: 2, daily: 3, weekly: 2, monthly: 2).apply(to: Self.example)
        #expect(reasons == [[.last, .daily, .weekly, .monthly], [.last, .daily, .weekly], [], [.daily], [], [], [.monthly], []])
    }

    @Test("a rule that runs out of archives before its count also keeps the oldest")
    func oldestKeptWhileCountsLeft() {
        let reasons = RetentionPolicy(monthly: 6).apply(to: Self.example)
        #expect(reasons == [[.monthly], [], [], [], [], [], [.monthly], [.monthly]])
        #expect(RetentionPolicy(last: 20).apply(to: Self.example).allSatisfy { $0 == [.last] })
    }

    @Test("the order of the input does not matter; an empty policy keeps nothing")
    func orderAndEmpty() {
        let policy = RetentionPolicy(last: 1, daily: 2)
        let reversed = Array(Self.example.reversed())
        #expect(policy.apply(to: reversed) == Array(policy.apply(to: Self.example).reversed()))
        #expect(RetentionPolicy().isEmpty && !policy.isEmpty)
    }

    @Test("ISO weeks: Sunday belongs to the week before Monday, and 2024-12-30 to 2025's week 1")
    func isoWeeks() {
        #expect(RetentionPolicy.period(of: Self.utc("2025-03-09T23:59:59Z"), by: .weekly) == 202510)
        #expect(RetentionPolicy.period(of: Self.utc("2025-03-10T00:00:00Z"), by: .weekly) == 202511)
        #expect(RetentionPolicy.period(of: Self.utc("2024-12-30T00:00:00Z"), by: .weekly) == 202501)
        #expect(RetentionPolicy.period(of: Self.utc("2021-01-03T12:00:00Z"), by: .weekly) == 202053)
    }

    /// 400 archive times over about two years: mostly nightly, with gaps, several a day at times,
    /// from a fixed seed so a failure repeats.
    static let generated: [Date] = {
        var state: UInt64 = 0x2545F4914F6CDD1D
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (state >> 33) % bound
        }
        var time = utc("2023-01-01T01:30:00Z").timeIntervalSince1970
        // Between 10 minutes and about 4 days apart, seconds; most nights one.
        let steps: [Double] = [600, 3600, 86400, 86400, 86400, 86400, 2 * 86400, 4 * 86400]
        let times = (0..<400).map { _ in
            time += steps[Int(next(8))] + Double(next(3600))
            return Date(timeIntervalSince1970: time)
        }
        var shuffler = Seeded(state: 7)
        return times.shuffled(using: &shuffler)
    }()

    /// restic's rules written out as sets: the newest archive of each of the n newest periods that
    /// have one, and the oldest archive too when there are fewer than n such periods.
    static func expected(_ times: [Date], _ rule: RetentionPolicy.Rule, _ count: Int) -> Set<Int> {
        guard count > 0 else { return [] }
        let newestFirst = times.indices.sorted { times[$0] > times[$1] }
        var periods: [[Int]] = []
        for index in newestFirst {
            if rule != .last, let group = periods.last,
               RetentionPolicy.period(of: times[group[0]], by: rule) == RetentionPolicy.period(of: times[index], by: rule) {
                periods[periods.count - 1].append(index)
            } else {
                periods.append([index])
            }
        }
        var kept = Set(periods.prefix(count).map { $0[0] })
        if periods.count < count, let oldest = newestFirst.last { kept.insert(oldest) }
        return kept
    }

    @Test("400 generated archives: each policy keeps exactly what the written-out rules say",
          arguments: [RetentionPolicy(last: 7), RetentionPolicy(hourly: 30), RetentionPolicy(daily: 14),
                      RetentionPolicy(weekly: 8), RetentionPolicy(monthly: 12), RetentionPolicy(monthly: 40),
                      RetentionPolicy(last: 3, daily: 7, weekly: 4, monthly: 6),
                      RetentionPolicy(last: 1, hourly: 5, daily: 400, weekly: 2, monthly: 1)])
    func generatedArchives(policy: RetentionPolicy) {
        let times = Self.generated
        #expect(times.count == 400)
        let reasons = policy.apply(to: times)
        for rule in RetentionPolicy.Rule.allCases {
            let byPolicy = Set(times.indices.filter { reasons[$0].contains(rule) })
            #expect(byPolicy == Self.expected(times, rule, policy.count(of: rule)), "rule \(rule)")
        }
        let kept = Set(times.indices.filter { !reasons[$0].isEmpty })
        let union = RetentionPolicy.Rule.allCases.reduce(into: Set<Int>()) { $0.formUnion(Self.expected(times, $1, policy.count(of: $1))) }
        #expect(kept == union)
        #expect(kept.contains(times.indices.max { times[$0] < times[$1] }!), "the newest is always kept")
    }

    @Test("generation names: a timestamped name gives its collection and time; others give nothing")
    func generationNames() {
        let time = Self.utc("2025-03-10T02:00:07Z")
        let name = ArchiveName.of("movies-v2", at: time)
        #expect(name == "movies-v2-20250310T020007Z.qdrant.tar")
        #expect(ArchiveName.parse(name)?.collection == "movies-v2" && ArchiveName.parse(name)?.time == time)
        #expect(ArchiveName.time(in: name, of: "movies-v2") == time)
        #expect(ArchiveName.time(in: name, of: "movies") == nil)
        #expect(ArchiveName.parse("movies.qdrant.tar") == nil)
        #expect(ArchiveName.parse("movies-20251310T020007Z.qdrant.tar") == nil)
        #expect(ArchiveName.parse("-20250310T020007Z.qdrant.tar") == nil)
    }

    @Test("a generation's time read from its name is the time its name was written for, leap days and the ends of days included")
    func generationTimesRoundTrip() {
        // Every 7,919 minutes (a prime: all hours and minutes come round) from 1970 to 2100.
        for minutes in stride(from: 0, to: 130 * 525_960, by: 7_919) {
            let time = Date(timeIntervalSince1970: TimeInterval(minutes * 60 + minutes % 60))
            #expect(ArchiveName.parse(ArchiveName.of("c", at: time))?.time == time, "\(ArchiveName.of("c", at: time))")
        }
        #expect(ArchiveName.parse("c-20000229T235959Z.qdrant.tar")?.time == Self.utc("2000-02-29T23:59:59Z"))
        #expect(ArchiveName.parse("c-19700101T000000Z.qdrant.tar")?.time == Date(timeIntervalSince1970: 0))
        for impossible in ["20240230T000000Z", "21000229T000000Z", "20250431T000000Z", "20250101T240000Z", "20250101T006000Z",
                           "20250101T000060Z", "20250001T000000Z", "2025010aT000000Z", "20250101 000000Z", "20250101T000000z"] {
            #expect(ArchiveName.parse("c-\(impossible).qdrant.tar") == nil, "\(impossible)")
        }
    }
}

/// A seeded generator, so the shuffled order repeats.
struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state
    }
}
