import FaultlineCLI

await FaultlineMain.run()
