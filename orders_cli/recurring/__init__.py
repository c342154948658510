"""recurring"""
