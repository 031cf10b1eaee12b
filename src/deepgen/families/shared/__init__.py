"""What the families share, not families themselves: the contract every family declares
(``contract``), the samplers and figures several use (``samplers``, ``conditional``), and the
bases of each kind of model (``vae_base``, ``gan_base``, ``diffusion_base``)."""
