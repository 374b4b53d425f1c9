// `DisplayText` and the `TUFError` shape live in TUFBase (below TUFCrypto and TUFFileSystem);
// users of the model get them with it, as they did before the move.
@_exported import TUFBase
