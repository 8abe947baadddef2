// The Loader target; see ../shared/DESIGN.md for what lives here.
