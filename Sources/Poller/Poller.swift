// The Poller target; see ../shared/DESIGN.md for what lives here.
