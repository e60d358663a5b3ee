bench: deps all
