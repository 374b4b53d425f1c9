import TUFMetadata

/// The targets the bins should hold.
enum DesiredTargets {
    /// Keep what the bins hold (staged roles only).
    case published
    /// Every bin's targets, by bin number.
    case all([[String: TargetFile]])
    /// Changes to some bins, by bin number, on top of the published bins (which must be
    /// those the changes were computed against); the other bins keep what they hold.
    case changes([Int: BinChange])
}
