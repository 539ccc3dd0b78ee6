"""The marketplace's claim rules: the Order, Cart, Seller and Receipt aggregates and the Orders application."""
