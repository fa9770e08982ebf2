import DockerEngine

// The real engine client satisfies every seam a fault may ask for.
extension DockerEngineClient: ContainerInspecting, ContainerLifecycle, NetworkAttaching {}
