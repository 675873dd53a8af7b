print("smartsync")
