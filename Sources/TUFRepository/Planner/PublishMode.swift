/// What drives re-signing: `generate` refreshes whatever changed or expires soon; `sign`
/// only publishes staged roles and re-signs what their new keys require.
enum PublishMode { case refresh, stagedOnly }
