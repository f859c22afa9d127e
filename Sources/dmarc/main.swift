print("dmarc")
