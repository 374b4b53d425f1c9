print("tuf-verify")
