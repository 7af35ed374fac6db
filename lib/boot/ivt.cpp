// IVT and boot data (in progress)
