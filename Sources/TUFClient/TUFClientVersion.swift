/// The version of swift-tuf's client, sent in the User-Agent of HTTP requests.
public enum TUFClientVersion {
    public static let string = "0.1.0"
}
