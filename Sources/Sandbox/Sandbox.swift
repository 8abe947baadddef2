// The Sandbox target; see ../shared/DESIGN.md for what lives here.
