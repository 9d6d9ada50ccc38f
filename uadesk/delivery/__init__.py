"""Delivery channels: email, fax and print. They take a letter and an address and know nothing of appeals."""
