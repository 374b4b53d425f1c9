import Foundation
import Testing
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// The order a plan's steps come in: TUF's (what only a newer snapshot reaches first), the
/// journal and the state just before the timestamp, and a new root where the planner put it.
extension PublicationPlannerTests {
    static let page = PlainPage(path: "simple/alpha/index.json", sha256: String(repeating: "ab", count: 32), bytes: [])

    @Test func theStepsAreInTUFOrderWithTheStateJustBeforeTheTimestamp() throws {
        let i = try inputs()
        let path = "packages/alpha/alpha-1.0.tar.gz"
        let n = i.policy.bins.bin(for: path), name = i.policy.bins.name(ofBin: n)
        let plan = try i.planner().publication(bins: i.bins, desired: .changes([n: BinChange(set: [path: target("alpha")])]), contents: [name: [:]])
        let signed = try i.repo.sign(plan, signers: Fixture.online.map(Repository.SignerEntry.init), publishedSnapshot: i.published.snapshot)
        let steps = plan.steps(signed, state: StateUpdate(bins: plan.binEntries, pages: nil, header: nil), plainNames: [Self.page])
        #expect(steps.map(\.kind) == ["delegatedRoles", "snapshot", "journal", "saveState", "timestamp", "plainNames"])
        guard case .write(let bins) = steps[0], case .journal(let journal) = steps[2], case .saveState(let state) = steps[3] else {
            Issue.record("unexpected steps \(steps.map(\.kind))"); return
        }
        // The new bin under its versioned name; the journal and the state name what the plan publishes.
        #expect(bins.files.map(\.path) == [RepositoryLayout.metadata(role: name, version: plan.bins[0].version)])
        #expect(journal.snapshotVersion == plan.snapshotVersion && journal.pages.map(\.path) == [Self.page.path])
        #expect(state.bins[name]?.version == plan.bins[0].version)
        #expect(plan.snapshotVersion == i.published.snapshot!.signed.version + 1)
    }

    @Test func aPlanThatPublishesNothingRelinksThePlainNamesThenSavesTheState() throws {
        let i = try inputs()
        let plan = try i.planner().publication(bins: i.bins, desired: .published, contents: [:])
        let steps = plan.steps(.none, state: StateUpdate(bins: [:], pages: nil, header: nil), plainNames: [Self.page])
        #expect(plan.isEmpty && steps.map(\.kind) == ["plainNames", "saveState"])
        // Commands that read no page (sign, rebin) have no plain-name step.
        #expect(plan.steps(.none, state: nil, plainNames: nil).isEmpty)
    }

    @Test func aNewRootGoingAfterTheTimestampComesAfterTheStateAndTheTimestamp() throws {
        let i = try inputs(timestampRotation)
        let plan = try i.planner(mode: .stagedOnly, keys: ["ed8", "rsa1"]).publication(bins: i.bins, desired: .published, contents: [:])
        let signed = try i.repo.sign(plan, signers: ["ed8", "rsa1"].map { Repository.SignerEntry(TestKeys.key($0)) }, publishedSnapshot: i.published.snapshot)
        let steps = plan.steps(signed, state: StateUpdate(bins: [:], pages: nil, header: nil), plainNames: nil)
        #expect(steps.map(\.kind) == ["delegatedRoles", "saveState", "timestamp", "root", "removeStaged"])
        guard case .write(let root) = steps[3] else { return }
        #expect(root.files.map(\.path) == [RepositoryLayout.metadata(role: "root", version: 2), RepositoryLayout.rootFile])
    }
}
