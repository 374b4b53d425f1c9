print("tuf-repo")
